"""AG005's ``torch.tensor([a, b])`` of tensors that require grad: its witness is the slice
that makes the items, then the file's statement, and torch's warning as it turns the one
that requires grad into a number; items that do not require grad give no finding."""

from __future__ import annotations

import pytest

from autograd_lint.config import Settings
from autograd_lint.diagnostics import Expectation, Witness
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

EVERY_RULE = Settings(select=("AG",))
BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]

SOURCE = """import torch
import torch.nn as nn


def scores(x):
    layer = nn.Linear(3, 1)
    first = layer(x).sum()
    second = layer(x * 2).mean()
    {line}
    return both
"""


def _findings(line: str) -> list:
    source = SOURCE.format(line=line)
    return [
        d
        for d in lint_source(source, "case.py", EVERY_RULE, witnesses=True).diagnostics
        if d.code == "AG005"
    ]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_list_of_graph_tensors_copied_warns_on_replay(backend: str) -> None:
    if backend == "torch":
        pytest.importorskip("torch")
    (finding,) = _findings("both = torch.tensor([first, second])")
    witness = finding.witness
    assert witness is not None
    # both items are made as the file makes them (no stand-in for either)
    assert "first = layer(x).sum()" in witness.script
    assert "second = layer(x * 2).mean()" in witness.script
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "confirmed", (witness.script, verdict)
    # the same script with the items detached does not warn: the warning is the graph's
    detached = witness.script.replace("[first, second]", "[first.detach(), second.detach()]")
    (control,) = confirm_many([Witness(detached, witness.expectation)], backend=backend)
    # (a stand-in for the parameter ``x``: not "not reproduced", which would be a verdict)
    assert control.status != "confirmed", (detached, control)
    assert "any warning" in control.evidence, control


def test_detached_items_or_stack_give_no_finding() -> None:
    assert _findings("both = torch.tensor([first.detach(), second.detach()])") == []
    assert _findings("both = torch.stack([first, second])") == []


def test_the_expectation_is_torchs_scalar_warning() -> None:
    (finding,) = _findings("both = torch.tensor([first, second])")
    assert finding.witness is not None
    assert finding.witness.expectation == Expectation(
        kind="warns",
        message="Converting a tensor with requires_grad=True to a scalar may lead to unexpected behavior.",
    )
