"""``autograd-lint check``: findings, exit codes, configuration and flags."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import CLEAN, DATA_WRITE, SNAPSHOT, Run, run_subprocess, write

Cli = Callable[..., Run]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Run from the temporary directory so no pyproject.toml above it configures the run.
    monkeypatch.chdir(tmp_path)


def test_finding_is_reported_flake8_style_with_exit_1(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    run = cli("check", "train.py")
    assert run.code == 1
    first = run.out.splitlines()[0]
    assert first.startswith("train.py:5:1: AG001 ")
    assert "Found 1 finding in 1 file." in run.err


def test_clean_files_exit_0(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "ok.py", CLEAN)
    run = cli("check", "ok.py")
    assert (run.code, run.out) == (0, "")
    assert "All checks passed!" in run.err


def test_directory_default_and_quiet(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "pkg/a.py", DATA_WRITE)
    write(tmp_path, "pkg/b.py", CLEAN)
    write(tmp_path, ".venv/lib/c.py", DATA_WRITE)
    run = cli("check", "--quiet")
    assert run.code == 1
    assert run.err == ""
    assert [line.split(":")[0] for line in run.out.splitlines() if not line.startswith(" ")] == [
        "pkg/a.py"
    ]


def test_no_python_files_is_a_warning_not_a_failure(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    run = cli("check", "empty")
    assert run.code == 0
    assert "no Python files found" in run.err


def test_syntax_error_and_missing_file_are_findings_and_the_run_goes_on(
    cli: Cli, tmp_path: Path
) -> None:
    write(tmp_path, "a_bad.py", "def f(:\n    loss.backward()\n")
    write(tmp_path, "b_train.py", DATA_WRITE)
    run = cli("check", "a_bad.py", "missing.py", "b_train.py")
    assert run.code == 1
    codes = [line.split()[1] for line in run.out.splitlines() if not line.startswith(" ")]
    assert codes == ["E999", "E902", "AG001"]
    assert "missing.py:1:1: E902 cannot read file: No such file or directory" in run.out


def test_select_and_ignore_override_the_config(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.autograd-lint]\nignore = ["AG001"]\n')
    write(tmp_path, "train.py", DATA_WRITE)
    assert cli("check", "train.py").code == 0
    run = cli("check", "train.py", "--ignore", "AG005")
    assert run.code == 1 and " AG001 " in run.out
    assert cli("check", "train.py", "--ignore", "AG005", "--select", "AG003").code == 0


def test_config_flag_and_per_file_ignores(cli: Cli, tmp_path: Path) -> None:
    config = write(
        tmp_path,
        "conf/lint.toml",
        '[per-file-ignores]\n"legacy/*.py" = ["AG001"]\n',
    )
    write(tmp_path, "legacy/old.py", DATA_WRITE)
    write(tmp_path, "new.py", DATA_WRITE)
    run = cli("check", "--config", str(config), "legacy", "new.py")
    assert run.code == 1
    assert [line.split(":")[0] for line in run.out.splitlines() if " AG001 " in line] == ["new.py"]


def test_force_exclude_from_the_flag_or_the_config(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.autograd-lint]\nextend-exclude = ["vendored/"]\n')
    write(tmp_path, "vendored/upstream.py", DATA_WRITE)
    assert cli("check", "vendored/upstream.py").code == 1  # named explicitly: checked
    assert cli("check", ".").code == 0  # walked: excluded
    run = cli("check", "vendored/upstream.py", "--force-exclude")
    assert run.code == 0 and "AG001" not in run.out
    write(
        tmp_path,
        "pyproject.toml",
        '[tool.autograd-lint]\nextend-exclude = ["vendored/"]\nforce-exclude = true\n',
    )
    assert cli("check", "vendored/upstream.py").code == 0


def test_bad_config_exits_2_with_a_clear_message(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.autograd-lint]\nruntime-check = "always"\n')
    write(tmp_path, "train.py", DATA_WRITE)
    run = cli("check", "train.py")
    assert run.code == 2
    assert "runtime-check must be one of off, mini, torch; got 'always'" in run.err
    assert "Traceback" not in run.err
    missing = cli("check", "--config", "nope.toml", "train.py")
    assert missing.code == 2 and "configuration file not found" in missing.err


def test_bad_code_in_flag_exits_2(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    run = cli("check", "train.py", "--select", "AG00-1")
    assert run.code == 2 and "'AG00-1' is not a rule code" in run.err


def test_usage_errors_exit_2(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    unsafe = cli("check", "train.py", "--unsafe-fixes")
    assert unsafe.code == 2 and "--unsafe-fixes only applies" in unsafe.err
    both = cli("check", "train.py", "--fix", "--diff")
    assert both.code == 2
    with pytest.raises(SystemExit) as exit_info:
        cli("check", "train.py", "--format", "xml")
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        cli("check", "--jobs", "-1", "train.py")
    assert exit_info.value.code == 2


def test_json_format_and_output_file(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    run = cli("check", "train.py", "--format", "json", "--output-file", "reports/out.json")
    assert run.code == 1 and run.out == ""
    objects = json.loads((tmp_path / "reports/out.json").read_text())
    assert objects[0]["code"] == "AG001"
    assert objects[0]["filename"] == "train.py"
    assert objects[0]["location"] == {"row": 5, "column": 1}
    assert objects[0]["severity"] == "error"


def test_sarif_and_github_formats(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    sarif = json.loads(cli("check", "train.py", "--format", "sarif").out)
    assert sarif["runs"][0]["results"][0]["ruleId"] == "AG001"
    github = cli("check", "train.py", "--format", "github").out.splitlines()
    assert github[0].startswith("::error file=train.py,line=5,col=1,")
    assert ",title=AG001::" in github[0]


def test_statistics(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "a.py", DATA_WRITE)
    write(tmp_path, "b.py", DATA_WRITE)
    write(tmp_path, "c.py", SNAPSHOT)
    run = cli("check", ".", "--statistics")
    assert run.code == 1
    rows = [line.split("\t") for line in run.out.splitlines()]
    assert rows[0][:2] == ["2", "AG001"] and rows[0][2].endswith("data-mutation")
    assert rows[1][:2] == ["1", "AG005"]
    as_json = json.loads(cli("check", ".", "--statistics", "--format", "json").out)
    # a write a pending backward needs has no automatic fix
    assert as_json[0] == {"code": "AG001", "name": "data-mutation", "count": 2, "fixable": False}
    assert as_json[1] == {
        "code": "AG005",
        "name": "clone-instead-of-detach",
        "count": 1,
        "fixable": True,
    }


def test_fix_writes_and_a_second_run_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    target = write(tmp_path, "snap.py", SNAPSHOT)
    run = cli("check", "--fix", "snap.py")
    assert run.code == 0, run.out
    assert "Fixed 1 finding." in run.err
    fixed = target.read_text()
    assert "history.append(w.detach().clone())" in fixed
    again = cli("check", "--fix", "snap.py")
    assert again.code == 0
    assert target.read_text() == fixed


def test_fix_reports_what_remains(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path, "snap.py", SNAPSHOT)
    write(tmp_path, "bad.py", "x = (\nloss.backward()\n")
    run = cli("check", "--fix", "snap.py", "bad.py")
    assert run.code == 1
    assert [line.split()[1] for line in run.out.splitlines()] == ["E999"]


def test_diff_prints_and_does_not_write(cli: Cli, tmp_path: Path) -> None:
    target = write(tmp_path, "snap.py", SNAPSHOT)
    run = cli("check", "--diff", "snap.py")
    assert run.code == 1
    assert run.out.startswith("--- snap.py\n+++ snap.py\n")
    assert "+    history.append(w.detach().clone())" in run.out
    assert target.read_text() == SNAPSHOT
    assert "Would fix 1 finding." in run.err


def test_unsafe_fixes_only_with_the_flag(cli: Cli, tmp_path: Path) -> None:
    source = (
        "import torch\n\nw = torch.randn(3, requires_grad=True)\n"
        "loss = torch.exp(w).sum()\nloss.backward()\nloss.backward()\n"
    )
    target = write(tmp_path, "twice.py", source)
    safe_only = cli("check", "--diff", "twice.py")
    assert safe_only.out == "" and "No fixes available." in safe_only.err
    offered = cli("check", "--diff", "--unsafe-fixes", "twice.py")
    assert "+loss.backward(retain_graph=True)" in offered.out
    assert target.read_text() == source
    applied = cli("check", "--fix", "--unsafe-fixes", "twice.py")
    assert applied.code == 0
    assert "loss.backward(retain_graph=True)\nloss.backward()\n" in target.read_text()


def test_jobs_gives_the_same_report_in_the_same_order(cli: Cli, tmp_path: Path) -> None:
    for index in range(12):
        write(tmp_path, f"m{index:02}.py", [DATA_WRITE, SNAPSHOT, CLEAN][index % 3])
    serial = cli("check", ".", "--format", "json", "--jobs", "1")
    parallel = cli("check", ".", "--format", "json", "--jobs", "2")
    assert serial.code == parallel.code == 1
    assert json.loads(serial.out) == json.loads(parallel.out)
    assert len(json.loads(serial.out)) == 8
    assert cli("check", ".", "--jobs", "0", "--quiet").out == cli("check", ".", "--quiet").out


def test_internal_error_is_short_without_verbose(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import autograd_lint.runner as runner

    def explode(path: str, settings: object, **options: int) -> None:
        raise ValueError("analysis blew up")

    write(tmp_path, "a.py", DATA_WRITE)
    monkeypatch.setattr(runner, "lint_path", explode)
    run = cli("check", "a.py")
    assert run.code == 2
    assert (
        "internal error while checking a.py: the check failed: ValueError: analysis blew up"
        in run.err
    )
    assert "hint: rerun with --verbose" in run.err
    assert "Traceback" not in run.err
    verbose = cli("check", "a.py", "--verbose")
    assert verbose.code == 2 and "Traceback (most recent call last)" in verbose.err
    before = cli("-v", "check", "a.py")
    assert before.code == 2 and "Traceback (most recent call last)" in before.err


def test_internal_error_outside_a_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import autograd_lint.discovery as discovery

    def explode(self: object, paths: object) -> list[str]:
        raise RuntimeError("walk failed")

    monkeypatch.setattr(discovery.Discovery, "files", explode)
    run = cli("check", ".")
    assert run.code == 2
    assert "internal error: RuntimeError: walk failed" in run.err
    assert "Traceback" not in run.err


def test_runtime_check_attaches_confirmations(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import autograd_lint.runner as runner
    from autograd_lint.diagnostics import Confirmation, Witness

    seen: list[tuple[str, str]] = []

    def fake_confirm(witness: Witness, backend: str, device: str) -> Confirmation:
        assert "torch" in witness.script
        seen.append((backend, device))
        return Confirmation("confirmed", backend, device, "gradient differs")

    monkeypatch.setattr(runner, "load_confirm", lambda: fake_confirm)
    write(tmp_path, "train.py", DATA_WRITE)
    run = cli("check", "train.py", "--runtime-check", "torch", "--device", "cuda")
    assert run.code == 1
    assert run.out.splitlines()[0].endswith("[confirmed: torch/cuda]")
    assert seen == [("torch", "cuda")]


def test_runtime_check_that_crashes_is_reported_not_fatal(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import autograd_lint.runner as runner

    def broken(*args: object) -> None:
        raise OSError("sandbox failed to start")

    monkeypatch.setattr(runner, "load_confirm", lambda: broken)
    write(tmp_path, "train.py", DATA_WRITE)
    run = cli("check", "train.py", "--runtime-check", "mini", "--format", "json")
    assert run.code == 1
    confirmation = json.loads(run.out)[0]["confirmation"]
    assert confirmation["status"] == "not_replayable"
    assert "sandbox failed to start" in confirmation["evidence"]


def test_real_runtime_check_in_a_subprocess(tmp_path: Path) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    run = run_subprocess("check", "train.py", "--runtime-check", "mini", cwd=tmp_path)
    assert run.code == 1, run.err
    assert run.out.startswith("train.py:5:1: AG001 ")
    first = run.out.splitlines()[0]
    assert first.endswith(("[confirmed: mini]", "[not reproduced: mini]", "[not replayable: mini]"))


def test_subprocess_entry_point_and_version(tmp_path: Path) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    run = run_subprocess("check", "train.py", "--no-progress", cwd=tmp_path)
    assert run.code == 1
    assert run.out.startswith("train.py:5:1: AG001 ")
    version = run_subprocess("--version", cwd=tmp_path)
    assert version.code == 0 and version.out.startswith("autograd-lint ")
