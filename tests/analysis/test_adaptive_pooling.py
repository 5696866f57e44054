"""Adaptive average pooling: global pooling is a mean (saves nothing), any other output
size saves its input; a pooling layer holds no parameters. Each case is also run on torch
where it is installed, so the expectation is torch's own."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"

WRITE_AFTER_POOL = (
    "w = torch.randn(1, 2, 4, 6, requires_grad=True)\n"
    "h = w * 2\n"
    "p = {pool}\n"
    "h.mul_(3)\n"
    "p.sum().backward()\n"
)

CASES = {
    # (pool expression, finding expected, torch raises)
    "functional, output 3x2": ("F.adaptive_avg_pool2d(h, (3, 2))", ["AG002"]),
    "module, output 2": ("nn.AdaptiveAvgPool2d(2)(h)", ["AG002"]),
    "functional, global": ("F.adaptive_avg_pool2d(h, 1)", []),
    "module, global": ("nn.AdaptiveAvgPool2d((1, 1))(h)", []),
    "module, output size not known": ("nn.AdaptiveAvgPool2d(size)(h)", []),
}


def _source(pool: str) -> str:
    return HEADER + "size = int(input())\n" + WRITE_AFTER_POOL.format(pool=pool)


@pytest.mark.parametrize("name", CASES)
def test_a_write_after_pooling(name: str) -> None:
    pool, expected = CASES[name]
    codes = [d.code for d in lint_source(_source(pool), "case.py").diagnostics]
    assert codes == expected


@pytest.mark.torch
@pytest.mark.parametrize("name", [n for n in CASES if "not known" not in n])
def test_torch_agrees(name: str) -> None:
    torch = pytest.importorskip("torch")
    pool, expected = CASES[name]
    source = WRITE_AFTER_POOL.format(pool=pool)
    namespace = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional}
    if expected:
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            exec(source, namespace)
    else:
        exec(source, namespace)


FROZEN = (
    HEADER + "backbone = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), {pool}, nn.Flatten())\n"
    "head = nn.Linear(4, 5)\n"
    "for module in {frozen}:\n"
    "    for p in module.parameters():\n"
    "        p.requires_grad = False\n"
    "head(backbone(torch.randn(2, 3, 8, 8))).sum().backward()\n"
)


def test_a_frozen_model_with_global_pooling_gives_a_loss_without_grad() -> None:
    source = FROZEN.format(pool="nn.AdaptiveAvgPool2d(1)", frozen="(backbone, head)")
    assert [d.code for d in lint_source(source, "case.py").diagnostics] == ["AG003"]


def test_a_trainable_head_after_the_pooling_is_quiet() -> None:
    source = FROZEN.format(pool="nn.AdaptiveAvgPool2d(1)", frozen="(backbone,)")
    assert lint_source(source, "case.py").diagnostics == ()
