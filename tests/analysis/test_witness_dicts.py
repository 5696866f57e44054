"""Witnesses over dicts of losses: ``dict(loss=...)`` and ``losses.values()`` are written as
the file writes them, an empty dict the slice fills is made as the file makes it, and a
followed call inside a statement the file's constants rewrite still reads its return."""

from __future__ import annotations

import libcst as cst
import pytest

from autograd_lint.analysis.witness_extent import _binds_an_empty_container
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

EVERY_RULE = Settings(select=("AG",))
BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]

SOURCE = """import torch
import torch.nn as nn


class Detector(nn.Module):
    def __init__(self, head, neck=None):
        super().__init__()
        self.neck = neck
        self.head = head
        {freeze}

    @property
    def with_neck(self):
        return self.neck is not None

    def forward_train(self, x, labels):
        if self.with_neck:
            x = self.neck(x)
        score = self.head(x)
        return dict(loss_cls=nn.functional.cross_entropy(score, labels))


detector = Detector(head=nn.Linear(4, 3))
outputs = {{}}
outputs["loss"] = sum(detector.forward_train(torch.randn(2, 4), torch.tensor([0, 2])).values())
outputs["loss"].backward()
"""
FROZEN = "self.head.requires_grad_(False)"


def _findings(freeze: str) -> list:
    source = SOURCE.format(freeze=freeze)
    return list(lint_source(source, "case.py", EVERY_RULE, witnesses=True).diagnostics)


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_loss_summed_from_a_dict_of_a_frozen_model_is_confirmed(backend: str) -> None:
    if backend == "torch":
        pytest.importorskip("torch")
    (finding,) = _findings(FROZEN)
    assert finding.code == "AG003"
    witness = finding.witness
    assert witness is not None
    lines = witness.script.splitlines()
    assert "outputs = {}" in lines
    assert any(
        line.startswith('outputs["loss"] = sum(returned_') and line.endswith(".values())")
        for line in lines
    )
    assert "stand-in" not in witness.script
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "confirmed", (witness.script, verdict)


def test_the_same_model_not_frozen_gives_no_finding() -> None:
    assert _findings("pass") == []


@pytest.mark.parametrize(
    ("code", "empty"),
    [
        ("outputs = {}", True),
        ("outputs = []", True),
        ("outputs = dict()", True),
        ("outputs = {'a': 1}", False),
        ("outputs = dict(a=1)", False),
        ("outputs = make()", False),
        ("other = {}", False),
    ],
)
def test_an_empty_container_binding_is_exact(code: str, empty: bool) -> None:
    statement = cst.parse_statement(code)
    assert _binds_an_empty_container(statement, "outputs") is empty
