"""Witnesses of programs that freeze a layer's parameters in a loop, observe an unnamed
leaf through a layer's parameter, or write ``.data`` with names of a loop."""

from __future__ import annotations

import pytest

from autograd_lint.config import Settings
from autograd_lint.diagnostics import Diagnostic
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]

FROZEN_LOOP = """import torch
import torch.nn as nn

clf = nn.Sequential(nn.Flatten(), nn.Linear(12, 3))
for p in clf.parameters():
    p.requires_grad = False
loss = clf(torch.randn(2, 3, 4)).sum()
loss.backward()
"""

PARTLY_FROZEN = """import torch
import torch.nn as nn

clf = nn.Sequential(nn.Flatten(), nn.Linear(12, 3))
for p in clf.parameters():
    p.requires_grad = False
head = nn.Linear(3, 1)
loss = head(clf(torch.randn(2, 3, 4))).sum()
loss.backward()
"""
"""The look-alike: a trainable layer after the frozen one, the loss requires grad."""

STALE_THROUGH_LAYER = """import torch
import torch.nn as nn

gen = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), nn.Tanh())
clf = nn.Sequential(nn.Flatten(), nn.Linear(3 * 4 * 4, 5))
for p in clf.parameters():
    p.requires_grad = False
out = gen(torch.rand(2, 3, 4, 4))
out.data += 1
loss = clf(out).sum()
loss.backward()
"""
"""``tanh`` saved its output; the write changes it behind autograd's back, and no leaf of
the script has a name: the gradient of ``gen[0].weight`` is the evidence."""

WRITE_IN_A_LOOP = """import torch
import torch.nn as nn

mean = [0.5, 0.4, 0.3]
gen = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), nn.Tanh())
out = gen(torch.rand(2, 3, 4, 4))
for c in range(3):
    out.data[:, c] = out.data[:, c] - mean[c]
"""


def _findings(source: str, code: str) -> list[Diagnostic]:
    result = lint_source(source, "t.py", Settings(select=(code,)), witnesses=True)
    return [d for d in result.diagnostics if d.code == code]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_frozen_layer_loop_is_written_as_the_layer_method(backend: str) -> None:
    (finding,) = _findings(FROZEN_LOOP, "AG003")
    assert finding.witness is not None
    script = finding.witness.script
    assert "clf.requires_grad_(False)" in script
    assert "p.requires_grad" not in script and "for " not in script
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


def test_a_trainable_layer_after_the_frozen_one_is_no_finding() -> None:
    assert _findings(PARTLY_FROZEN, "AG003") == []


def test_a_loop_over_a_user_model_is_not_written_pass_by_pass() -> None:
    """The passes of a loop over a model's parameters stand for all of them: writing the
    parameter of one pass would freeze one parameter of several."""
    source = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.Linear(4, 2)

    def forward(self, x):
        return self.b(self.a(x))


net = Net()
for param in net.parameters():
    param.requires_grad = False
loss = net(torch.randn(3, 4)).sum()
loss.backward()
"""
    (finding,) = _findings(source, "AG003")
    if finding.witness is not None:  # the whole model frozen, or no witness at all
        assert "param = " not in finding.witness.script
        (verdict,) = confirm_many([finding.witness], backend="mini")
        assert verdict.status == "confirmed", verdict


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_stale_write_is_observed_through_a_parameter_upstream(backend: str) -> None:
    (finding,) = _findings(STALE_THROUGH_LAYER, "AG001")
    assert finding.witness is not None
    expectation = finding.witness.expectation
    assert expectation.kind == "differs"
    assert expectation.observe == "gen[0].weight.grad"  # not the frozen classifier's
    assert "clf.requires_grad_(False)" in finding.witness.script
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


def test_a_write_after_the_backward_is_no_finding() -> None:
    source = STALE_THROUGH_LAYER.replace(
        "out.data += 1\nloss = clf(out).sum()\nloss.backward()\n",
        "loss = clf(out).sum()\nloss.backward()\nout.data += 1\n",
    )
    assert [f for f in _findings(source, "AG001") if "backward" in f.message] == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_write_reading_loop_names_defines_them(backend: str) -> None:
    (finding,) = _findings(WRITE_IN_A_LOOP, "AG001")
    assert finding.witness is not None
    script = finding.witness.script
    assert "c = " in script and "mean = [0.5, 0.4, 0.3]" in script
    assert script.index("version_before =") < script.index("out.data[:, c] =")
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


FROZEN_USER_MODEL = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(4, 4), nn.ReLU())
        self.head = nn.Linear(4, 2)

    def forward(self, x):
        return self.head(self.body(x))


net = Net()
model = net
for param in model.parameters():
    param.requires_grad = False
criterion = nn.MSELoss()
loss = criterion(net(torch.randn(3, 4)), torch.randn(3, 2))
loss.backward()
"""


def test_a_frozen_user_model_is_each_of_its_layers_frozen() -> None:
    """The loop over the model's parameters reaches every layer its ``__init__`` made: the
    script freezes each with the layer's method (the criterion, made apart, is left)."""
    (finding,) = _findings(FROZEN_USER_MODEL, "AG003")
    assert finding.witness is not None
    script = finding.witness.script
    assert "self_body.requires_grad_(False)" in script
    assert "self_head.requires_grad_(False)" in script
    assert "criterion.requires_grad_" not in script and "param" not in script


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_frozen_user_model_witness_is_confirmed(backend: str) -> None:
    (finding,) = _findings(FROZEN_USER_MODEL, "AG003")
    assert finding.witness is not None
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


def test_a_layer_made_apart_from_the_frozen_model_stays_trainable() -> None:
    """The look-alike: a head built outside the model trains, so the loss requires grad;
    no AG003 and nothing to replay."""
    source = FROZEN_USER_MODEL.replace(
        "criterion = nn.MSELoss()\nloss = criterion(net(torch.randn(3, 4)), torch.randn(3, 2))",
        "extra = nn.Linear(2, 2)\nloss = extra(net(torch.randn(3, 4))).sum()",
    )
    assert "extra = nn.Linear" in source
    assert _findings(source, "AG003") == []
