"""A project class extending ``torch.optim.Optimizer``: its ``param_groups`` are torch's,
made by ``super().__init__(params, defaults)``, so its methods reach the model's
parameters. A ``.data`` write through them between the forward and the backward changes a
weight the forward saved (AG001); the same write after the backward is the legacy update,
not reported by default."""

from __future__ import annotations

from autograd_lint.lint import lint_source

PREDICTING = """import torch
import torch.nn as nn
from torch.optim import Optimizer


class Predicting(Optimizer):
    def __init__(self, params, lr=0.1):
        super().__init__(params, dict(lr=lr))

    def predict(self, scale):
        for group in self.param_groups:
            for p in group["params"]:
                p.data.sub_(torch.ones_like(p), alpha=scale)


model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
optimizer = Predicting(model.parameters())
loss = model(torch.randn(5, 4)).pow(2).mean()
{between}
loss.backward()
{after}
"""

LOOP_OVER_PARAMETERS = """import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
{before}
loss = model(torch.randn(5, 4)).pow(2).mean()
{between}
loss.backward()
"""


def _codes(source: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in lint_source(source, "case.py").diagnostics]


def test_a_write_through_param_groups_after_the_forward() -> None:
    source = PREDICTING.format(between="optimizer.predict(0.5)", after="")
    assert _codes(source) == [("AG001", 13)]


def test_the_same_write_after_the_backward_is_quiet() -> None:
    source = PREDICTING.format(between="", after="optimizer.predict(0.5)")
    assert _codes(source) == []


def test_param_groups_of_several_groups_are_not_guessed() -> None:
    """A list of dicts (several groups with options of their own) is not modelled."""
    source = PREDICTING.format(between="optimizer.predict(0.5)", after="").replace(
        "Predicting(model.parameters())", "Predicting([{'params': model.parameters()}])"
    )
    assert _codes(source) == []


def test_a_loop_over_parameters_writes_every_one() -> None:
    """The loop variable stands for each parameter: the last layer's weight, which the
    forward saved, is written too, not only the first one the loop is analysed with."""
    between = "for p in model.parameters():\n    p.data.mul_(0.5)"
    source = LOOP_OVER_PARAMETERS.format(before="", between=between)
    assert _codes(source) == [("AG001", 8)]


def test_a_loop_over_parameters_before_the_forward_is_quiet() -> None:
    before = "for p in model.parameters():\n    p.data.mul_(0.5)"
    source = LOOP_OVER_PARAMETERS.format(before=before, between="")
    assert _codes(source) == []


def test_after_the_loop_its_variable_is_one_parameter() -> None:
    """After the loop ``p`` is one parameter (the analysis knows it as the first): a write
    through it is not a write of every parameter, and the first layer's weight is not
    saved (its input does not require grad)."""
    before = "for p in model.parameters():\n    pass"
    source = LOOP_OVER_PARAMETERS.format(before=before, between="p.data.mul_(0.5)")
    assert _codes(source) == []
