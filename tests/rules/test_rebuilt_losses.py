"""AG008 on losses rebuilt as new leaves and combined before the backward: the graph the
backward walks reaches those leaves and nothing else, so no parameter gets a gradient.

These findings carry no witness yet (the witness slicer replays a backward on the rebuilt
leaf itself), which is why they are checked here rather than in the rule's fixture."""

from __future__ import annotations

import pytest

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

HEADER = """import torch
import torch.nn as nn

model = nn.Linear(4, 1)
criterion = nn.MSELoss()
x, y = torch.randn(8, 4), torch.randn(8, 1)
restored = [model(x), model(x) * 2]
"""


def flagged_lines(body: str) -> list[int]:
    result = lint_source(HEADER + body, settings=Settings(select=("AG",)))
    offset = HEADER.count("\n")
    return sorted(d.range.start_line - offset for d in result.diagnostics if d.code == "AG008")


def test_a_sum_of_rebuilt_stage_losses_is_flagged_at_each_rebuild() -> None:
    body = (
        "char = torch.tensor([criterion(r, y) for r in restored], requires_grad=True).sum()\n"
        "edge = torch.tensor([criterion(r, y) for r in restored], requires_grad=True).sum()\n"
        "loss = char + 0.05 * edge\n"
        "loss.backward()\n"
    )
    assert flagged_lines(body) == [1, 2]


@pytest.mark.parametrize(
    "body",
    [
        # a term that reaches a parameter: that parameter is trained
        "bias = torch.zeros(1, requires_grad=True)\n"
        "loss = torch.tensor([criterion(r, y) for r in restored], requires_grad=True).sum()"
        " + (bias * 2).sum()\n"
        "loss.backward()\n",
        # a named leaf may be an input on purpose: its gradient is read
        "scores = torch.tensor([criterion(r, y) for r in restored], requires_grad=True)\n"
        "(scores * 3).sum().backward()\n"
        "print(scores.grad)\n",
        # fed to a layer: the layer's parameters get a gradient
        "fed = torch.tensor([criterion(r, y) for r in restored], requires_grad=True)"
        ".repeat(2, 2)\n"
        "model(fed).sum().backward()\n",
        # an op given a tensor the registry does not count as an input (a bound of clamp)
        "low = torch.zeros(2, requires_grad=True)\n"
        "torch.clamp(torch.tensor([criterion(r, y) for r in restored], requires_grad=True)"
        " * 2, min=low).sum().backward()\n",
    ],
)
def test_look_alikes_stay_silent(body: str) -> None:
    assert flagged_lines(body) == []
