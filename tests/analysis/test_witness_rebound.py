"""Witnesses of a statement that calls one followed function twice: each run of its
``return`` reads its own arguments."""

from __future__ import annotations

import pytest

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]

CRITIC = """import torch
import torch.nn as nn

G = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))

    def forward(self, x):
        return self.net(x).mean()


D = Critic()
z = torch.randn(6, 8)
real = torch.randn(6, 4)
fake = G(z)
loss_d = D(fake) - D(real)
loss_d.backward()
loss_g = -D(fake)
loss_g.backward()
"""


def _ag004(source: str):
    result = lint_source(source, "t.py", Settings(select=("AG004",)), witnesses=True)
    return [d for d in result.diagnostics if d.code == "AG004"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_call_of_the_critic_binds_its_own_argument(backend: str) -> None:
    (finding,) = _ag004(CRITIC)
    assert finding.witness is not None
    lines = finding.witness.script.splitlines()
    first, second = lines.index("x = fake"), lines.index("x = real")
    assert first < second  # in the order the statement calls them
    assert lines[first + 1].endswith("= self_net(x).mean()")
    assert lines[second + 1].endswith("= self_net(x).mean()")
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


def test_a_detached_fake_is_no_finding() -> None:
    assert _ag004(CRITIC.replace("fake = G(z)\n", "fake = G(z).detach()\n")) == []


def test_a_function_of_several_statements_called_twice_has_no_witness() -> None:
    """Its body reads the parameter at more than one statement: one binding per call
    would have to hold through all of them, which a flat script cannot say."""
    source = CRITIC.replace(
        "        return self.net(x).mean()\n",
        "        h = self.net(x)\n        return h.mean()\n",
    )
    (finding,) = _ag004(source)
    assert finding.witness is None


def _ordered(source: str) -> list[str]:
    from autograd_lint.analysis.interpreter import analyze
    from autograd_lint.analysis.witness_rebound import runs_in_order

    trace = analyze(source)
    (statement,) = [s for s in trace.rebound_inputs]
    return [trace.code_of(call) for call in runs_in_order(trace, statement)]


def test_runs_are_matched_to_calls_side_by_side_but_not_nested() -> None:
    head = "import torch\n\n\ndef f(a):\n    return a * 2\n\n\nx = torch.randn(3, requires_grad=True)\n"
    assert _ordered(head + "y = f(x) + f(x + 1)\n") == ["f(x)", "f(x + 1)"]
    assert _ordered(head + "y = f(f(x))\n") == []  # written outer first, evaluated inner first
