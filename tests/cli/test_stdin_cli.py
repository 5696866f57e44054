"""``check -`` and ``--stdin-filename``: standard input linted as the file it stands for."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import CLEAN, DATA_WRITE, LEGACY_DATA_WRITE, run_subprocess, write


def test_dash_reads_standard_input(tmp_path: Path) -> None:
    run = run_subprocess("check", "-", cwd=tmp_path, stdin=DATA_WRITE)
    assert run.code == 1, run
    assert run.out.startswith("-:5:1: AG001 ")
    clean = run_subprocess("check", "-", cwd=tmp_path, stdin=CLEAN)
    assert clean.code == 0, clean


def test_stdin_filename_names_the_report_and_picks_its_config(tmp_path: Path) -> None:
    project = tmp_path / "project"
    write(
        project,
        "pyproject.toml",
        '[tool.autograd-lint]\nper-file-ignores = { "tests/*.py" = ["AG001"] }\n',
    )
    # Run from outside the project: the configuration is found from the given path.
    run = run_subprocess(
        "check", "-", "--stdin-filename", "project/src/train.py", cwd=tmp_path, stdin=DATA_WRITE
    )
    assert run.code == 1, run
    assert run.out.startswith("project/src/train.py:5:1: AG001 ")
    ignored = run_subprocess(
        "check", "--stdin-filename", "project/tests/test_x.py", cwd=tmp_path, stdin=DATA_WRITE
    )
    assert ignored.code == 0, ignored
    assert ignored.out == ""


def test_stdin_filename_with_force_exclude_skips_excluded_paths(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.autograd-lint]\nexclude = ["vendor"]\n')
    args = ("check", "-", "--stdin-filename", "vendor/x.py")
    assert run_subprocess(*args, cwd=tmp_path, stdin=DATA_WRITE).code == 1
    run = run_subprocess(*args, "--force-exclude", cwd=tmp_path, stdin=DATA_WRITE)
    assert run.code == 0, run
    assert run.out == ""


def test_fix_prints_the_fixed_source_and_reports_on_stderr(tmp_path: Path) -> None:
    run = run_subprocess(
        "check", "-", "--fix", "--select", "AG013", "--stdin-filename", "t.py",
        cwd=tmp_path, stdin=LEGACY_DATA_WRITE,
    )  # fmt: skip
    assert run.code == 0, run
    assert "with torch.no_grad():\n    w.mul_(10)\n" in run.out
    assert "w.data" not in run.out
    assert "Fixed 1 finding." in run.err
    assert not (tmp_path / "t.py").exists()


def test_stdin_json_and_dash_with_paths_is_an_error(tmp_path: Path) -> None:
    run = run_subprocess("check", "-", "--format", "json", cwd=tmp_path, stdin=DATA_WRITE)
    assert json.loads(run.out)[0]["filename"] == "-"
    write(tmp_path, "a.py", CLEAN)
    mixed = run_subprocess("check", "-", "a.py", cwd=tmp_path, stdin=DATA_WRITE)
    assert mixed.code == 2
    assert "cannot be combined" in mixed.err
