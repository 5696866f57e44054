"""Form feeds in indentation, which CPython reads as a reset of the indentation column.

libcst rejects a line that opens a deeper block with a form feed in its indentation, and on
other lines drops the form feed from the code it gives back. The checker parses a copy with
those form feeds removed (:func:`autograd_lint.analysis.parse.normalise`) and reports in the
file's own coordinates; ``--fix`` edits the file itself, form feeds kept.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from cli_support import run_subprocess

from autograd_lint.analysis.parse import Normalised, normalise, restore
from autograd_lint.diagnostics import Diagnostic, Edit, Fix, Range, Severity

NESTED = (
    "import torch\n"
    "\n"
    "\n"
    "def f():\n"
    "    w = torch.ones(2, requires_grad=True)\n"
    "    if True:\n"
    "\f        y = (w * w).sum()\n"
    "\f        w.data.mul_(2)\n"
    "  \f        y.backward()\n"
    "    return w\n"
)
"""Line 7 opens a deeper block with a form feed first: libcst alone calls this a syntax error."""

FIXABLE = (
    "import torch\n"
    "\n"
    "w = torch.ones(2, requires_grad=True)\n"
    "if True:\n"
    "\f    a = w.numpy()\n"
    "  \f    w.add_(1)\n"
    "    b = w.numpy()\n"
)


def column_of(text: str, line: int, needle: str) -> int:
    """1-based column of ``needle`` on ``line`` as Python counts lines (not at form feeds)."""
    return re.split(r"\r\n|\r|\n", text)[line - 1].index(needle) + 1


def check(tmp_path: Path, text: str, *argv: str, newline: str = "\n") -> tuple[int, str, Path]:
    path = tmp_path / "m.py"
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    run = run_subprocess("check", "--no-progress", *argv, "m.py", cwd=tmp_path)
    assert "E001" not in run.out, run.out + run.err
    return run.code, run.out + run.err, path


def test_the_sample_is_one_libcst_alone_rejects_and_cpython_accepts() -> None:
    import libcst as cst

    compile(NESTED, "m.py", "exec")
    with pytest.raises(cst.ParserSyntaxError):
        cst.parse_module(NESTED)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_form_feed_opening_a_deeper_block_is_checked_not_e999(tmp_path: Path, newline: str) -> None:
    code, out, _ = check(tmp_path, NESTED, newline=newline)
    assert code == 1 and "E999" not in out, out
    assert f"m.py:8:{column_of(NESTED, 8, 'w.data')}: AG001" in out, out
    assert f"m.py:7:{column_of(NESTED, 7, 'w * w')}: note: saved for backward" in out, out
    assert f"m.py:9:{column_of(NESTED, 9, 'y.backward')}: note: backward here" in out, out


def test_a_real_syntax_error_after_a_form_feed_is_still_e999(tmp_path: Path) -> None:
    broken = NESTED.replace("  \f        y.backward()", "  \f      y.backward()")
    code, out, _ = check(tmp_path, broken)
    assert code == 1 and "m.py:9:" in out and "E999 SyntaxError: unindent does not match" in out


def test_noqa_on_a_form_feed_line_suppresses_that_line_only(tmp_path: Path) -> None:
    text = NESTED.replace("w.data.mul_(2)\n", "w.data.mul_(2)  # noqa: AG001\n")
    code, out, _ = check(tmp_path, text)
    assert code == 0, out
    text = NESTED.replace("y = (w * w).sum()\n", "y = (w * w).sum()  # noqa: AG001\n")
    code, out, _ = check(tmp_path, text)
    assert code == 1 and "m.py:8:" in out, out


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_fix_on_form_feed_lines_keeps_them_and_their_blocks(tmp_path: Path, newline: str) -> None:
    code, out, path = check(tmp_path, FIXABLE, "--fix", newline=newline)
    assert code == 0 and "Fixed 3 findings" in out, out
    fixed = path.read_bytes().decode("utf-8")
    expected = (
        "import torch\n"
        "\n"
        "w = torch.ones(2, requires_grad=True)\n"
        "if True:\n"
        "\f    a = w.detach().numpy()\n"
        "  \f    with torch.no_grad():\n"
        "  \f        w.add_(1)\n"
        "    b = w.detach().numpy()\n"
    )
    assert fixed == expected.replace("\n", newline)
    with_blocks = ast.parse(fixed).body[2]
    assert isinstance(with_blocks, ast.If) and isinstance(with_blocks.body[1], ast.With)


def test_diff_shows_the_file_s_own_lines(tmp_path: Path) -> None:
    code, out, path = check(tmp_path, FIXABLE, "--diff")
    assert code == 1, out
    assert "\n-\f    a = w.numpy()\n" in out and "\n+\f    a = w.detach().numpy()\n" in out, out
    assert "\n+  \f        w.add_(1)\n" in out, out
    assert path.read_text(encoding="utf-8") == FIXABLE


def test_normalise_removes_only_indentation_of_logical_lines() -> None:
    text = (
        "\fx = 1\n"
        "if x:\n"
        "  \f\f    y = (1,\n"
        "\f  2)\n"
        "    s = '''\n"
        "\f  kept'''\n"
        "\f    # a comment is left as it is\n"
        "    z = 1 \f+ 2\n"
    )
    normalised = normalise(text)
    assert normalised.removed == {1: 1, 3: 4}
    assert normalised.text == text.replace("\fx", "x", 1).replace("  \f\f    y", "    y")
    assert ast.dump(ast.parse(normalised.text)) == ast.dump(ast.parse(text))
    assert normalised.column(3, 4) == 8 and normalised.column(4, 3) == 3


def test_normalise_leaves_text_without_form_feed_indentation_alone() -> None:
    for text in ("x = 1\n", "x = 1  # \f\n", "x = 1 \f+ 2\n", "s = '''\n\fa'''\n"):
        assert normalise(text) == Normalised(text)


def _diagnostic(*edits: Edit) -> Diagnostic:
    return Diagnostic("AG001", "m", Range(3, 4, 3, 5), Severity.ERROR, fix=Fix("f", tuple(edits)))


def test_restore_moves_ranges_and_indents_new_lines_to_the_moved_column() -> None:
    normalised = Normalised("", {3: 4})
    inserted = Edit(Range(3, 4, 3, 4), "with torch.no_grad():\n        ")
    moved = restore(_diagnostic(inserted), normalised)
    assert moved.range == Range(3, 8, 3, 9)
    assert moved.fix is not None
    assert moved.fix.edits == (Edit(Range(3, 8, 3, 8), "with torch.no_grad():\n            "),)


def test_restore_drops_a_fix_whose_edit_spans_a_changed_line() -> None:
    normalised = Normalised("", {3: 4})
    spanning = Edit(Range(2, 0, 4, 0), "rewritten\n    lines\n")
    kept = Edit(Range(4, 0, 5, 0), "")
    assert restore(_diagnostic(spanning), normalised).fix is None
    assert restore(_diagnostic(kept), normalised).fix is not None
