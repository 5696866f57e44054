"""Results built by hand from the dataclasses, covering every field a format must carry."""

from __future__ import annotations

import pytest

from autograd_lint.diagnostics import (
    Confirmation,
    Diagnostic,
    Edit,
    Expectation,
    FileResult,
    Fix,
    Range,
    RelatedLocation,
    Severity,
    Witness,
)


@pytest.fixture
def results() -> list[FileResult]:
    data_write = Diagnostic(
        code="AG001",
        message="`w.data.mul_` changes `w` behind autograd's back",
        range=Range(3, 0, 3, 16),
        severity=Severity.ERROR,
        related=(RelatedLocation(Range(2, 5, 2, 10), "saved for backward here"),),
        fix=Fix(
            "Use `with torch.no_grad(): w.mul_(10)`",
            (Edit(Range(3, 0, 3, 16), "with torch.no_grad():\n    w.mul_(10)"),),
        ),
        witness=Witness(
            "w = torch.ones(3, requires_grad=True)\n",
            Expectation("differs", observe="w.grad", control_script="pass"),
        ),
        confirmation=Confirmation("confirmed", "mini", "cpu", "w.grad differs"),
    )
    clone = Diagnostic(
        code="AG005",
        message="clone keeps history, with: comma % and\nnewline",
        range=Range(7, 4, 7, 13),
        severity=Severity.WARNING,
        fix=Fix("Use `.detach().clone()`", (Edit(Range(7, 5, 7, 5), ".detach()"),), safe=True),
        confirmation=Confirmation("not_reproduced", "torch", "cuda"),
    )
    offered = Diagnostic(
        code="AG004",
        message="second backward through a freed graph",
        range=Range(1, 0, 1, 4),
        severity=Severity.INFO,
        fix=Fix("retain_graph=True", (Edit(Range(1, 0, 1, 4), "x"),), safe=False),
    )
    return [
        FileResult("src/train.py", (data_write, clone), "source"),
        FileResult("clean.py", (), "x = 1\n"),
        FileResult("dir with space/ü.py", (offered,), "y"),
    ]
