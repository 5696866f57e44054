"""``repeat``, ``F.interpolate`` and ``nn.Upsample`` save no tensor: writing their input in
place before backward is harmless, while a tensor an earlier op saved stays invalidated
through them; an upsampling layer holds no parameters. Each case is also run on torch, so
the expectation is torch's own."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"

WRITE_AFTER = (
    "w = torch.randn(1, 2, 4, 6, requires_grad=True)\n"
    "h = {make}\n"
    "p = {op}\n"
    "h.mul_(3)\n"
    "p.sum().backward()\n"
)

OPS = {
    "repeat": "h.repeat(2, 1, 1, 1)",
    "repeat, extra dims": "h.repeat((2, 1, 1, 1, 1))",
    "interpolate nearest": "F.interpolate(h, scale_factor=2)",
    "interpolate bilinear": "F.interpolate(h, size=(5, 7), mode='bilinear', align_corners=True)",
    "Upsample": "nn.Upsample(scale_factor=2, mode='bilinear')(h)",
    "UpsamplingNearest2d": "nn.UpsamplingNearest2d(scale_factor=2)(h)",
}
MAKERS = {
    "saves nothing": ("w * 2", []),  # mul by a number saves only the number
    "saves its output": ("w.sigmoid()", ["AG002"]),
}
CASES = {
    f"{op}, input {kind}": (call, make, expected)
    for op, call in OPS.items()
    for kind, (make, expected) in MAKERS.items()
}


@pytest.mark.parametrize("name", CASES)
def test_a_write_after_resampling(name: str) -> None:
    call, make, expected = CASES[name]
    source = HEADER + WRITE_AFTER.format(make=make, op=call)
    assert [d.code for d in lint_source(source, "case.py").diagnostics] == expected


@pytest.mark.torch
@pytest.mark.parametrize("name", CASES)
def test_torch_agrees(name: str) -> None:
    torch = pytest.importorskip("torch")
    call, make, expected = CASES[name]
    source = WRITE_AFTER.format(make=make, op=call)
    namespace = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional}
    if expected:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            exec(source, namespace)
    else:
        exec(source, namespace)


FROZEN = (
    HEADER + "decoder = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Upsample(scale_factor=2))\n"
    "for p in decoder.parameters():\n"
    "    p.requires_grad = False\n"
    "decoder(torch.randn(2, 3, 8, 8)).sum().backward()\n"
)


def test_a_frozen_decoder_with_upsampling_gives_a_loss_without_grad() -> None:
    assert [d.code for d in lint_source(FROZEN, "case.py").diagnostics] == ["AG003"]


def test_a_trainable_layer_after_the_upsampling_is_quiet() -> None:
    source = FROZEN.replace(
        "nn.Upsample(scale_factor=2))", "nn.Upsample(scale_factor=2), nn.Conv2d(4, 4, 1))"
    ).replace("for p in decoder.parameters():", "for p in decoder[0].parameters():")
    assert lint_source(source, "case.py").diagnostics == ()
