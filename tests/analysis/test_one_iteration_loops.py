"""A loop that surely runs once (``for _ in range(1)``, ``for x in [a]``) has no earlier
iteration: AG004's "freed by an earlier iteration" and AG015's "every iteration adds to
``.grad``" need a second one. Each program is run on torch to show the verdict it rests on.
"""

from __future__ import annotations

import pytest
import torch

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

ALL = Settings(select=("ALL",))

ONCE_BACKWARD_LIST = """\
import torch

w = torch.randn(3, requires_grad=True)
z = torch.sin(w).sum()
for scale in [1.0]:
    (z * scale).backward()
"""

ONCE_BACKWARD_RANGE = """\
import torch

w = torch.randn(3, requires_grad=True)
z = torch.sin(w).sum()
ONE = 1
for i in range(ONE):
    z.backward()
"""

ONCE_STEP = """\
import torch
import torch.nn as nn

model = nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(4, 3)
for step in [0]:
    loss = model(x).sum()
    loss.backward()
    opt.step()
"""

TWICE_BACKWARD = """\
import torch

w = torch.randn(3, requires_grad=True)
z = torch.sin(w).sum()
for i in range(2):
    z.backward()
"""

ONCE_INSIDE_A_LOOP = """\
import torch

w = torch.randn(3, requires_grad=True)
z = torch.sin(w).sum()
for epoch in range(3):
    for k in range(1):
        z.backward()
"""

STEP_IN_ONCE_INSIDE_A_LOOP = """\
import torch
import torch.nn as nn

model = nn.Linear(3, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
x = torch.randn(4, 3)
for epoch in range(10):
    for step in [0]:
        loss = model(x).sum()
        loss.backward()
        opt.step()
"""


def codes(source: str) -> list[tuple[int, str]]:
    result = lint_source(source, "example.py", ALL)
    return sorted((d.line, d.code) for d in result.diagnostics)


def runs_on_torch(source: str) -> bool:
    try:
        exec(compile(source, "<program>", "exec"), {"torch": torch})
    except RuntimeError as error:
        assert "backward through the graph a second time" in str(error)
        return False
    return True


@pytest.mark.parametrize("source", [ONCE_BACKWARD_LIST, ONCE_BACKWARD_RANGE])
def test_one_backward_in_a_loop_that_runs_once_is_not_a_second_backward(source: str) -> None:
    assert runs_on_torch(source)
    assert codes(source) == []


def test_one_step_in_a_loop_that_runs_once_accumulates_nothing() -> None:
    assert runs_on_torch(ONCE_STEP)
    assert codes(ONCE_STEP) == []


def test_a_loop_that_runs_twice_still_frees_the_graph() -> None:
    assert not runs_on_torch(TWICE_BACKWARD)
    assert codes(TWICE_BACKWARD) == [(6, "AG004")]


def test_a_once_loop_inside_a_real_loop_is_still_repeated_by_the_outer_one() -> None:
    assert not runs_on_torch(ONCE_INSIDE_A_LOOP)
    assert codes(ONCE_INSIDE_A_LOOP) == [(7, "AG004")]
    assert codes(STEP_IN_ONCE_INSIDE_A_LOOP) == [(10, "AG015")]
