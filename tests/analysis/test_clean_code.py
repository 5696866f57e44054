"""Idiomatic, correct training code gets no findings: precision over recall."""

from pathlib import Path

import pytest

from autograd_lint.lint import lint_source

CLEAN = sorted((Path(__file__).parent.parent / "fixtures" / "clean").glob("*.py"))


@pytest.mark.parametrize("path", CLEAN, ids=lambda p: p.name)
def test_no_findings(path):
    result = lint_source(path.read_text(), str(path))
    assert not result.skipped
    assert [f"{d.line}: {d.code} {d.message}" for d in result.diagnostics] == []
