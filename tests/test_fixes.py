"""Fix application: offsets, overlap, parse check, atomic writes, idempotence.

Unit tests drive the fixer with a small stand-in lint function that offers a
``.clone()`` -> ``.detach().clone()`` fix (AG005's fix) so the fix loop can be tested on its
own; the end-to-end tests at the bottom go through the real rules.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from autograd_lint.config import Settings
from autograd_lint.diagnostics import Diagnostic, Edit, FileResult, Fix, Range, Severity
from autograd_lint.fixes import (
    FixError,
    apply_edits,
    apply_fixes,
    chosen_fixes,
    fix_file,
    fix_source,
    line_starts,
    parses,
    range_offsets,
    unified_diff,
    write_atomic,
)
from autograd_lint.lint import lint_source

CLONE = re.compile(r"(?<!\.detach\(\))\.clone\(\)")


def position(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    column = offset - (source.rfind("\n", 0, offset) + 1)
    return line, column


def clone_lint(source: str, path: str, settings: Settings) -> FileResult:
    """Stand-in rule: every ``.clone()`` not preceded by ``.detach()`` gets a safe fix."""
    found = []
    for match in CLONE.finditer(source):
        line, col = position(source, match.start())
        at = Range(line, col, line, col)
        fix = Fix("Use `.detach().clone()`", (Edit(at, ".detach()"),), safe=True)
        found.append(Diagnostic("AG005", "clone keeps history", at, Severity.WARNING, fix=fix))
    return FileResult(path, tuple(found), source)


def edit(line: int, col: int, end_line: int, end_col: int, text: str) -> Edit:
    return Edit(Range(line, col, end_line, end_col), text)


def test_offsets_use_code_points_and_every_newline_style() -> None:
    source = "é = 1\r\nb = 'ü'\rc = 3\n"
    assert line_starts(source) == [0, 7, 15, 21]
    assert range_offsets(source, Range(2, 5, 2, 6)) == (12, 13)
    assert source[12] == "ü"
    assert range_offsets(source, Range(3, 0, 3, 5)) == (15, 20)


def test_edits_apply_back_to_front_and_overlaps_are_rejected() -> None:
    source = "a = x.clone()\nb = y.clone()\n"
    fixed = apply_edits(source, [edit(2, 5, 2, 5, ".detach()"), edit(1, 5, 1, 5, ".detach()")])
    assert fixed == "a = x.detach().clone()\nb = y.detach().clone()\n"
    with pytest.raises(FixError, match="overlapping"):
        apply_edits(source, [edit(1, 0, 1, 5, "z"), edit(1, 3, 1, 8, "w")])


def test_edits_outside_the_file_are_errors() -> None:
    with pytest.raises(FixError, match="line 9 is outside"):
        apply_edits("a = 1\n", [edit(9, 0, 9, 1, "")])
    with pytest.raises(FixError, match="column 40 is outside"):
        apply_edits("a = 1\n", [edit(1, 40, 1, 41, "")])


def test_only_safe_fixes_unless_unsafe_requested() -> None:
    at = Range(1, 0, 1, 1)
    offered = Fix("offered", (Edit(at, "y"),), safe=False)
    diagnostic = Diagnostic("AG004", "m", at, Severity.ERROR, fix=offered)
    assert chosen_fixes([diagnostic], unsafe=False) == []
    assert chosen_fixes([diagnostic], unsafe=True) == [offered]


def test_overlapping_fixes_wait_for_the_next_round() -> None:
    source = "t = x.clone()\n"
    whole = Fix("whole", (edit(1, 4, 1, 13, "x.detach().clone()"),))
    inner = Fix("inner", (edit(1, 5, 1, 5, ".detach()"),))
    round_result = apply_fixes(source, [whole, inner])
    assert round_result.applied == 1
    assert round_result.text == "t = x.detach().clone()\n"


def test_a_fix_that_breaks_syntax_is_refused_and_others_still_apply() -> None:
    source = "a = x.clone()\nb = y.clone()\n"
    good = Fix("good", (edit(2, 5, 2, 5, ".detach()"),))
    bad = Fix("bad", (edit(1, 4, 1, 4, "("),))
    round_result = apply_fixes(source, [bad, good])
    assert round_result.text == "a = x.clone()\nb = y.detach().clone()\n"
    assert round_result.applied == 1
    assert any("would not parse" in reason for reason in round_result.refused)
    assert parses(round_result.text)


def test_fix_loop_reaches_a_fixed_point_and_relints() -> None:
    source = "def f(x):\n    a = x.clone()\n    b = a.clone().clone()\n    return a, b\n"
    outcome = fix_source(source, "m.py", Settings(), lint=clone_lint)
    assert outcome.fixed == (
        "def f(x):\n    a = x.detach().clone()\n"
        "    b = a.detach().clone().detach().clone()\n    return a, b\n"
    )
    assert outcome.applied == 3
    assert outcome.result.diagnostics == ()
    again = fix_source(outcome.fixed, "m.py", Settings(), lint=clone_lint)
    assert not again.changed and again.applied == 0


def test_fix_loop_stops_after_max_rounds() -> None:
    def growing(source: str, path: str, settings: Settings) -> FileResult:
        at = Range(1, 0, 1, 0)
        fix = Fix("grow", (Edit(at, "#\n"),))
        return FileResult(path, (Diagnostic("AG900", "m", at, Severity.INFO, fix=fix),), source)

    outcome = fix_source("x = 1\n", "m.py", Settings(), max_rounds=3, lint=growing)
    assert outcome.applied == 3
    assert outcome.fixed == "#\n#\n#\nx = 1\n"


def test_a_round_that_adds_a_finding_is_undone() -> None:
    """``old`` has a fix to ``new``; ``new`` is a finding of another code: the fix is refused."""

    def trading(source: str, path: str, settings: Settings) -> FileResult:
        found = []
        for match in re.finditer(r"old|new", source):
            line, col = position(source, match.start())
            at = Range(line, col, line, col + 3)
            if match.group() == "old":
                fix = Fix("renew", (Edit(at, "new"),))
                found.append(Diagnostic("AG005", "old", at, Severity.WARNING, fix=fix))
            else:
                found.append(Diagnostic("AG001", "new", at, Severity.ERROR))
        return FileResult(path, tuple(found), source)

    outcome = fix_source("a = old\n", "m.py", Settings(), lint=trading)
    assert not outcome.changed and outcome.applied == 0
    assert outcome.refused == ["the fixes would add findings (AG001); 1 fix(es) not applied"]
    assert [d.code for d in outcome.result.diagnostics] == ["AG005"]


def test_unified_diff_breaks_lines_only_where_python_does() -> None:
    before = "a = 1\x0c# feed\u2028still line one\nb = 2\n"
    diff = unified_diff("m.py", before, before.replace("b = 2", "b = 3"))
    assert "-a = 1" not in diff  # line 1 is unchanged context, kept whole
    assert " a = 1\x0c# feed\u2028still line one\n" in diff
    assert "No newline at end of file" not in diff


def test_unified_diff_names_both_sides() -> None:
    diff = unified_diff("m.py", "a = x.clone()\n", "a = x.detach().clone()\n")
    assert diff.splitlines()[:2] == ["--- m.py", "+++ m.py"]
    assert "-a = x.clone()" in diff and "+a = x.detach().clone()" in diff
    assert unified_diff("m.py", "same\n", "same\n") == ""


def test_write_atomic_replaces_the_inode_and_keeps_mode_and_bom(tmp_path: Path) -> None:
    target = tmp_path / "train.py"
    target.write_bytes(b"\xef\xbb\xbfold = 1\n")
    target.chmod(0o751)
    before = target.stat().st_ino
    handle = target.open("rb")  # a reader holding the old file sees the old content intact
    write_atomic(str(target), "new = 2\n", bom=True)
    assert handle.read() == b"\xef\xbb\xbfold = 1\n"
    handle.close()
    assert target.read_bytes() == b"\xef\xbb\xbfnew = 2\n"
    assert target.stat().st_ino != before
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert [p.name for p in tmp_path.iterdir()] == ["train.py"]


def test_write_atomic_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real.py"
    real.write_text("a = 1\n")
    link = tmp_path / "link.py"
    link.symlink_to(real)
    write_atomic(str(link), "a = 2\n")
    assert link.is_symlink() and real.read_text() == "a = 2\n"


def test_write_atomic_failure_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text("keep = 1\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(str(target), "bad = '\udcff'\n")
    assert target.read_text() == "keep = 1\n"
    assert os.listdir(tmp_path) == ["m.py"]


def test_fix_file_writes_and_is_idempotent(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text("snapshots = []\nsnapshots.append(w.clone())\n")
    first = fix_file(str(target), Settings(), lint=clone_lint)
    assert first.changed and first.applied == 1
    assert target.read_text() == "snapshots = []\nsnapshots.append(w.detach().clone())\n"
    second = fix_file(str(target), Settings(), lint=clone_lint)
    assert not second.changed
    assert target.read_text() == "snapshots = []\nsnapshots.append(w.detach().clone())\n"


def test_fix_file_without_write_leaves_the_file(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_text("a = w.clone()\n")
    outcome = fix_file(str(target), Settings(), write=False, lint=clone_lint)
    assert outcome.fixed == "a = w.detach().clone()\n"
    assert target.read_text() == "a = w.clone()\n"


# --- end to end, through the real rules ------------------------------------------------------

SNAPSHOT = """\
import torch

w = torch.randn(3, requires_grad=True)
history = []
for step in range(3):
    loss = (w * w).sum()
    loss.backward()
    history.append(w.clone())
"""


def test_real_ag005_fix_applies_and_leaves_no_finding(tmp_path: Path) -> None:
    target = tmp_path / "snap.py"
    target.write_text(SNAPSHOT)
    before = lint_source(SNAPSHOT, str(target))
    assert [d.code for d in before.diagnostics] == ["AG005"]
    outcome = fix_file(str(target), Settings())
    assert outcome.changed
    text = target.read_text()
    assert "history.append(w.detach().clone())" in text
    assert parses(text)
    assert not any(d.code == "AG005" for d in lint_source(text, str(target)).diagnostics)
    assert not fix_file(str(target), Settings()).changed
