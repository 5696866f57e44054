"""``nn.Sequential`` / ``nn.ModuleList`` composition, in-place activations and ``nn``
classes the registry does not describe."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\ndef case():\n"


def _lint(body: str, witnesses: bool = False):  # type: ignore[no-untyped-def]
    source = HEADER + "".join(f"    {line}\n" for line in body.splitlines())
    return lint_source(source, "case.py", witnesses=witnesses).diagnostics


FLAGGED = {
    "inplace ReLU after a Sequential that ends in a sigmoid": (
        "body = nn.Sequential(nn.Linear(4, 4), nn.Sigmoid())\n"
        "act = nn.ReLU(inplace=True)\n"
        "h = act(body(torch.randn(2, 4)))\n"
        "h.sum().backward()\n",
        "AG002",
        9,
    ),
    "F.relu(inplace=True) on a saved output": (
        "w = torch.randn(3, requires_grad=True)\n"
        "y = torch.exp(w)\n"
        "F.relu(y, inplace=True)\n"
        "y.sum().backward()\n",
        "AG002",
        9,
    ),
    "positional inplace flag in a GAN block": (
        "w = torch.randn(3, requires_grad=True)\n"
        "y = torch.sigmoid(w)\n"
        "nn.LeakyReLU(0.2, True)(y)\n"
        "y.sum().backward()\n",
        "AG002",
        9,
    ),
    "a generator built as Sequential backpropagated twice": (
        "G = nn.Sequential(nn.Linear(2, 4), nn.LeakyReLU(0.2), nn.Linear(4, 2))\n"
        "fake = G(torch.randn(3, 2))\n"
        "fake.sum().backward()\n"
        "fake.mean().backward()\n",
        "AG004",
        10,
    ),
    "layers of a ModuleList taken in turn": (
        "blocks = nn.ModuleList([nn.Linear(3, 3), nn.Tanh()])\n"
        "x = torch.randn(2, 3)\n"
        "for b in blocks:\n"
        "    x = b(x)\n"
        "x.detach().zero_()\n"
        "x.sum().backward()\n",
        "AG002",
        11,
    ),
    "an indexed layer of a Sequential": (
        "seq = nn.Sequential(nn.Linear(3, 3), nn.Sigmoid())\n"
        "h = seq[1](seq[0](torch.randn(2, 3)))\n"
        "h.detach().mul_(0)\n"
        "h.sum().backward()\n",
        "AG002",
        9,
    ),
}


@pytest.mark.parametrize("name", FLAGGED)
def test_flagged(name: str) -> None:
    body, code, line = FLAGGED[name]
    assert (code, line) in [(d.code, d.line) for d in _lint(body)]


@pytest.mark.parametrize("backend", ["mini", pytest.param("torch", marks=pytest.mark.torch)])
def test_inplace_activation_witness_is_confirmed(backend: str) -> None:
    if backend == "torch":
        pytest.importorskip("torch")
    body, code, line = FLAGGED["inplace ReLU after a Sequential that ends in a sigmoid"]
    (finding,) = [d for d in _lint(body, witnesses=True) if (d.code, d.line) == (code, line)]
    assert finding.witness is not None
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", (finding.witness.script, verdict)


QUIET = {
    "inplace ReLU where nothing saved its input": (
        "m = nn.Sequential(nn.Linear(4, 4), nn.ReLU(inplace=True), nn.Linear(4, 1))\n"
        "m(torch.randn(2, 4)).sum().backward()\n"
    ),
    "ReLU without inplace after a sigmoid": (
        "w = torch.randn(3, requires_grad=True)\n"
        "y = torch.sigmoid(w)\n"
        "z = nn.ReLU()(y)\n"
        "z.sum().backward()\n"
    ),
    "an unknown nn class on an input without grad is not known to cut the graph": (
        "y = nn.PixelShuffle(1)(torch.randn(1, 1, 2, 3))\ny.sum().backward()\n"
    ),
    "an unknown nn class: its clone is not known to require grad": (
        "snapshots = []\nsnapshots.append(nn.PixelShuffle(1)(torch.randn(1, 1, 2, 3)).clone())\n"
    ),
    "a rebuilt generator output each time": (
        "G = nn.Sequential(nn.Linear(2, 4), nn.Linear(4, 2))\n"
        "z = torch.randn(3, 2)\n"
        "G(z).sum().backward()\n"
        "G(z).mean().backward()\n"
    ),
}


@pytest.mark.parametrize("name", QUIET)
def test_quiet(name: str) -> None:
    assert [(d.code, d.line) for d in _lint(QUIET[name])] == []


ZIPPED_LAYERS = (
    "heads = nn.ModuleList(nn.Conv2d(c, 12, 1) for c in {channels})\n"
    "stride = torch.tensor([8., 16.])\n"
    "for mi, s in zip(heads, {other}):\n"
    "{indent}b = mi.bias.view(3, -1)\n"
    "{indent}b[:, 4] += 1.0 / s\n"
)


@pytest.mark.parametrize("channels", ["[4, 8]", "(4, 8, 16)", "range(4, 6)"])
@pytest.mark.parametrize("other", ["stride", "[8., 16.]"])
def test_zip_walks_the_layers_of_a_module_list(channels: str, other: str) -> None:
    """``zip(m.m, m.stride)`` (YOLO heads): each row's layer is one of the list's layers."""
    body = ZIPPED_LAYERS.format(channels=channels, other=other, indent="    ")
    assert "AG007" in [d.code for d in _lint(body)]
    guarded = body.replace("    b[:, 4] +=", "    with torch.no_grad():\n        b[:, 4] +=")
    assert [d.code for d in _lint(guarded)] == []
    detached = body.replace("mi.bias.view", "mi.bias.detach().view")
    assert [d.code for d in _lint(detached)] == []
