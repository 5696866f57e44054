"""``check --add-noqa``: a baseline of directives, after which the same check passes."""

from __future__ import annotations

from pathlib import Path

from cli_support import run_subprocess, write

from autograd_lint.add_noqa import add_noqa
from autograd_lint.lint import lint_source

FINDINGS = '''\
import torch

w = torch.randn(3, requires_grad=True)
y = torch.sigmoid(w)
c = y.detach()
c.zero_()  # reset the copy
y.sum().backward()
y.sum().backward()  # noqa: AG999
note = "# noqa: AG001 inside a string is no directive"
'''


def test_directives_are_added_and_the_check_then_passes(tmp_path: Path) -> None:
    write(tmp_path, "train.py", FINDINGS)
    run = run_subprocess("check", "train.py", "--add-noqa", cwd=tmp_path)
    assert run.code == 0, run.err
    assert "Added 2 noqa directives." in run.err
    text = (tmp_path / "train.py").read_text()
    assert "c.zero_()  # reset the copy  # noqa: AG002\n" in text
    assert "y.sum().backward()  # noqa: AG004, AG999\n" in text
    assert 'note = "# noqa: AG001 inside a string is no directive"\n' in text
    again = run_subprocess("check", "train.py", cwd=tmp_path)
    assert again.code == 0, again.out


def test_a_line_ending_inside_a_string_is_not_marked() -> None:
    source = (
        "import torch\nw = torch.randn(3, requires_grad=True)\ny = torch.sigmoid(w)\n"
        "c = y.detach()\nc.zero_(); s = '''text\nmore'''\ny.sum().backward()\n"
    )
    diagnostics = lint_source(source, "t.py").diagnostics
    assert [d.code for d in diagnostics] == ["AG002"]
    edit = add_noqa(source, diagnostics)
    assert edit.added == 0 and edit.skipped == 1 and edit.text == source


def test_add_noqa_does_not_combine_with_fix(tmp_path: Path) -> None:
    write(tmp_path, "train.py", FINDINGS)
    run = run_subprocess("check", "train.py", "--add-noqa", "--fix", cwd=tmp_path)
    assert run.code == 2 and "--add-noqa" in run.err
    assert (tmp_path / "train.py").read_text() == FINDINGS
