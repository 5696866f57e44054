"""A file too complex to follow in full says where its analysis stopped, never passes as
silently clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd_lint.analysis import frame
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runner import CheckOptions, check_file

LOOPS = (
    "import torch\n\nw = torch.randn(3, requires_grad=True)\n"
    + "".join(f"for _ in range(2):\n    y{i} = (w * {i}).sum()\n" for i in range(60))
    + "y0.backward()\ny0.backward()\n"
)


def test_a_file_past_the_budget_reports_where_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(frame, "MAX_STATEMENTS", 50)
    result = lint_source(LOOPS, "big.py")
    assert result.stopped_at_line is not None
    assert 4 <= result.stopped_at_line < LOOPS.count("\n")
    path = tmp_path / "big.py"
    path.write_text(LOOPS)
    outcome = check_file(str(path), CheckOptions(Settings()))
    (note,) = [w for w in outcome.warnings if "skipped: too complex" in w]
    assert note.startswith(f"{result.stopped_at_line}: ")


def test_a_file_within_the_budget_has_no_note() -> None:
    result = lint_source(LOOPS, "big.py")
    assert result.stopped_at_line is None
    assert [d.code for d in result.diagnostics] == ["AG004"]
