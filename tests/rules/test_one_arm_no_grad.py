"""AG003 on a loss that is a constant on one arm of an ``if``: the message names the test and
the arm, and the witness (the arm's own code, then the backward) raises on the mini engine
and on torch as the program does whenever it takes that arm."""

from __future__ import annotations

import pytest

from autograd_lint.config import Settings
from autograd_lint.diagnostics import Diagnostic
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check.replay import confirm

TEMPLATE = """import torch
import torch.nn as nn

head = nn.Linear(4, 3)
device = torch.device("cpu")


def step(batch, labels):
    num_pos = int((labels > 0).sum())
    if num_pos == 0:
        loss = {zero}
    else:
        loss = head(batch).sum()
    loss.backward()
"""


def _findings(source: str) -> list[Diagnostic]:
    result = lint_source(source, "step.py", Settings(runtime_check="off"))
    return [d for d in result.diagnostics if d.code == "AG003"]


def test_message_names_the_test_and_the_arm() -> None:
    (finding,) = _findings(TEMPLATE.format(zero="torch.tensor(0.0)"))
    assert "when `num_pos == 0` is true (line 10)" in finding.message
    assert finding.range.start_line == 14
    assert [r.message for r in finding.related] == [
        "when `num_pos == 0` is true",
        "created here without grad on that path",
    ]


@pytest.mark.parametrize("backend", ["mini", "torch"])
def test_the_witness_is_confirmed(backend: str) -> None:
    if backend == "torch":
        pytest.importorskip("torch")
    (finding,) = _findings(TEMPLATE.format(zero="torch.zeros((), dtype=torch.float32)"))
    assert finding.witness is not None
    assert "torch.zeros((), dtype=torch.float32)" in finding.witness.script
    verdict = confirm(finding.witness, backend=backend)
    assert verdict.status == "confirmed", verdict


def test_no_witness_where_the_arm_reads_names_of_the_program() -> None:
    """``torch.zeros((), device=device)``: the script would need the program's ``device``."""
    (finding,) = _findings(TEMPLATE.format(zero="torch.zeros((), device=device)"))
    assert finding.witness is None


def test_a_zero_that_keeps_the_graph_is_not_flagged() -> None:
    assert _findings(TEMPLATE.format(zero="head(batch).sum() * 0")) == []
