"""AG005 on a loss target computed from a clone: ``next_q = net(s2).clone()`` then
``target = r + 0.9 * next_q.max(1)[0]`` and ``F.mse_loss(q, target)`` (the DQN form), or a
helper that returns ``q.clone()`` indexed by the caller. The target still carries the clone's
graph, so the loss sends gradient into ``net`` through it, as the clone itself would (shown on
torch below). Anything else that requires grad in the target makes it a computation of its
own, not a constant: not flagged.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

PROGRAM = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def target_values(net, s):
    q = net(s)
    return q.clone()


net = nn.Linear(4, 2)
other = nn.Linear(4, 2)
opt = torch.optim.SGD(net.parameters(), lr=0.1)
s, s2 = torch.randn(8, 4), torch.randn(8, 4)
q = net(s).max(1)[0]
{lines}
loss = F.mse_loss(q, target)
opt.zero_grad()
loss.backward()
opt.step()
"""


def ag005(lines: str) -> list[str]:
    result = lint_source(PROGRAM.format(lines=lines), "example.py", Settings())
    return [d.message for d in result.diagnostics if d.code == "AG005"]


def test_a_target_computed_from_a_clone_sends_gradient_into_the_network_on_torch() -> None:
    torch.manual_seed(0)
    net = torch.nn.Linear(4, 2)
    s, s2 = torch.randn(8, 4), torch.randn(8, 4)

    def weight_grad(detach: bool) -> torch.Tensor:
        net.zero_grad()
        next_q = net(s2).detach().clone() if detach else net(s2).clone()
        target = 1.0 + 0.9 * next_q.max(1)[0]
        F.mse_loss(net(s).max(1)[0], target).backward()
        assert net.weight.grad is not None
        return net.weight.grad.clone()

    assert not torch.allclose(weight_grad(detach=False), weight_grad(detach=True))


@pytest.mark.parametrize(
    "lines",
    [
        "next_q = net(s2).clone()\ntarget = 1.0 + 0.9 * next_q.max(1)[0]",
        "next_q = net(s2).clone()\ntarget = next_q[:, 0]",
        "target = target_values(net, s2).max(1)[0]",
        "target = target_values(net, s2)[:, 0] * torch.ones(8)",
    ],
)
def test_a_target_computed_from_a_clone_is_found(lines: str) -> None:
    (message,) = ag005(lines)
    assert "in the target of a loss (the target is computed from it)" in message


def test_the_clone_itself_as_the_target_keeps_its_wording() -> None:
    (message,) = ag005("target = net(s2).max(1)[0].clone()")
    assert "is used as the target of a loss;" in message


@pytest.mark.parametrize(
    "lines",
    [
        # another tensor that requires grad in the target: a computation, not a constant
        "next_q = net(s2).clone()\ntarget = next_q.max(1)[0] + other(s2).max(1)[0]",
        "next_q = net(s2).clone()\ntarget = next_q.detach().max(1)[0]",
        "next_q = net(s2).clone().detach()\ntarget = 1.0 + 0.9 * next_q.max(1)[0]",
        "with torch.no_grad():\n    next_q = net(s2).clone()\ntarget = next_q.max(1)[0]",
        "y = torch.randn(8, 2).clone()\ntarget = y.max(1)[0] * 2",
    ],
)
def test_look_alikes_are_not_flagged(lines: str) -> None:
    assert ag005(lines) == []
