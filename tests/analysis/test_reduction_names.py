"""A loss's ``reduction=`` given through a name bound to a known string is read as the
literal would be: ``red = "none"`` turns the reduction off, ``red = "mean"`` keeps it."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEADER = (
    "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"
    "model = nn.Linear(4, 3)\nx = torch.randn(8, 4)\ny = torch.randint(0, 3, (8,))\n"
)


def _codes(body: str) -> list[str]:
    return [d.code for d in lint_source(HEADER + body, "case.py").diagnostics]


@pytest.mark.parametrize(
    "loss",
    [
        "nn.CrossEntropyLoss(reduction=red)(model(x), y)",
        "F.cross_entropy(model(x), y, reduction=red)",
        "F.mse_loss(model(x), torch.randn(8, 3), reduction=red)",
    ],
)
def test_a_local_name_for_the_reduction(loss: str) -> None:
    assert "AG009" in _codes(f'red = "none"\n{loss}.backward()\n')
    assert "AG009" not in _codes(f'red = "mean"\n{loss}.backward()\n')
    assert "AG009" not in _codes(f'red = "sum"\n{loss}.backward()\n')


def test_a_reduction_passed_to_a_constructor_parameter() -> None:
    """``SpanModel``'s ``nn.CrossEntropyLoss(reduction=reduction)``: the parameter is known
    in the call that builds the model, and only there."""
    body = (
        "class Head(nn.Module):\n"
        '    def __init__(self, reduction="none"):\n'
        "        super().__init__()\n"
        "        self.fc = nn.Linear(4, 3)\n"
        "        self.loss = nn.CrossEntropyLoss(reduction=reduction)\n\n"
        "    def forward(self, x, y):\n"
        "        return self.loss(self.fc(x), y)\n\n\n"
    )
    assert "AG009" in _codes(body + "Head()(x, y).backward()\n")
    assert "AG009" not in _codes(body + 'Head("mean")(x, y).backward()\n')
    assert "AG009" not in _codes(body + 'Head(reduction="sum")(x, y).backward()\n')


def test_a_reduction_not_known_stays_silent() -> None:
    body = "def step(red):\n    F.cross_entropy(model(x), y, reduction=red).backward()\n"
    assert _codes(body) == []
