"""The result cache through the real command.

Whether a result came from the cache is shown without timing anything: a ``sitecustomize``
(on ``PYTHONPATH`` only where a test asks for it) makes every analysis fail with an internal
error. A run under it that still reports the findings, with no E001, answered from the cache;
a file that is analysed again shows E001.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from cli_support import DATA_WRITE, REPO, SNAPSHOT, Run, run_subprocess, write

BROKEN_ANALYSIS = """
import autograd_lint.lint as _lint

def _broken(*args, **kwargs):
    raise RuntimeError("analysis switched off by the test")

_lint._lint_parsed = _broken
"""


@pytest.fixture
def broken(tmp_path: Path) -> dict[str, str]:
    """An environment in which every analysis is an internal error."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(textwrap.dedent(BROKEN_ANALYSIS))
    return {"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with a configuration, two files with findings and one clean file; the cache
    in its default place."""
    monkeypatch.delenv("AUTOGRAD_LINT_CACHE_DIR", raising=False)
    root = tmp_path / "project"
    write(root, "pyproject.toml", "[tool.autograd-lint]\n")
    write(root, "src/data.py", DATA_WRITE)
    write(root, "src/snap.py", SNAPSHOT)
    write(root, "src/clean.py", "x = 1\n")
    return root


def check(cwd: Path, *argv: str, env: dict[str, str] | None = None) -> Run:
    return run_subprocess(
        "check", "--no-progress", "--output-format", "concise", *argv, cwd=cwd, env=env
    )


def entries(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("??/*") if p.is_file())


def test_second_run_is_answered_from_the_cache_beside_the_configuration(
    project: Path, broken: dict[str, str]
) -> None:
    first = check(project / "src", ".")
    assert first.code == 1 and "data.py:5:1: AG001" in first.out and "AG005" in first.out
    cache = project / ".autograd_lint_cache"
    assert (cache / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172")
    assert (cache / ".gitignore").read_text().endswith("*\n")
    assert len(entries(cache)) == 3
    second = check(project / "src", ".", env=broken)
    assert (second.code, second.out) == (first.code, first.out)
    uncached = check(project / "src", "--no-cache", ".", env=broken)
    assert uncached.code == 2 and "E001" in uncached.out


def test_only_the_changed_file_is_analysed_again(project: Path, broken: dict[str, str]) -> None:
    check(project, ".")
    write(project, "src/snap.py", SNAPSHOT + "\nextra = 1\n")
    run = check(project, ".", env=broken)
    assert "src/snap.py:1:1: E001" in run.out
    assert "src/data.py:5:1: AG001" in run.out and "data.py:1:1: E001" not in run.out


def test_settings_and_flags_are_part_of_the_key(project: Path, broken: dict[str, str]) -> None:
    check(project, ".")
    assert "E001" in check(project, "--select", "AG001", ".", env=broken).out
    assert "E001" in check(project, "--preview", ".", env=broken).out
    write(project, "pyproject.toml", '[tool.autograd-lint]\nignore = ["AG005"]\n')
    assert "E001" in check(project, ".", env=broken).out


def test_corrupted_entries_are_ignored_and_rewritten(project: Path, broken: dict[str, str]) -> None:
    expected = check(project, ".")
    cache = project / ".autograd_lint_cache"
    stored = entries(cache)
    for number, entry in enumerate(stored):
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2] if number % 2 else data[:-1] + b"\x00")
    again = check(project, ".")
    assert (again.code, again.out) == (expected.code, expected.out)
    assert check(project, ".", env=broken).out == expected.out  # rewritten, valid again


def test_cache_dir_flag_and_environment_variable(
    project: Path, tmp_path: Path, broken: dict[str, str]
) -> None:
    flag_dir, env_dir = tmp_path / "flag-cache", tmp_path / "env-cache"
    check(project, "--cache-dir", str(flag_dir), ".")
    assert len(entries(flag_dir)) == 3
    assert not (project / ".autograd_lint_cache").exists()
    check(project, ".", env={"AUTOGRAD_LINT_CACHE_DIR": str(env_dir)})
    assert len(entries(env_dir)) == 3
    hit = check(project, ".", env={**broken, "AUTOGRAD_LINT_CACHE_DIR": str(env_dir)})
    assert "E001" not in hit.out
    assert not (project / ".autograd_lint_cache").exists()


def test_fix_after_a_cached_check_still_fixes_and_the_cache_follows(project: Path) -> None:
    before = check(project, ".")
    assert "src/snap.py:8:20: AG005" in before.out
    fixed = check(project, "--fix", ".")
    assert "w.detach().clone()" in (project / "src/snap.py").read_text()
    assert "AG005" not in fixed.out
    after = check(project, ".")
    assert "AG005" not in after.out and "src/data.py:5:1: AG001" in after.out


def test_runtime_check_verdicts_are_cached_per_backend(
    project: Path, broken: dict[str, str]
) -> None:
    argv = ("--output-format", "json", "--runtime-check", "mini", ".")
    first = run_subprocess("check", "--no-progress", *argv, cwd=project)
    verdicts = [f["confirmation"] for f in json.loads(first.out)]
    assert any(v and v["status"] == "confirmed" for v in verdicts)
    again = run_subprocess("check", "--no-progress", *argv, cwd=project, env=broken)
    assert json.loads(again.out) == json.loads(first.out)
    off = check(project, "--runtime-check", "off", ".", env=broken)
    assert "E001" in off.out  # another backend, another entry


def test_parallel_runs_share_one_cache_safely(project: Path) -> None:
    for number in range(12):
        write(project, f"src/more{number}.py", DATA_WRITE + f"\nvalue = {number}\n")
    expected = check(project, "--no-cache", ".")
    environment = dict(os.environ)
    environment["PYTHONPATH"] = str(REPO)
    command = [sys.executable, "-m", "autograd_lint", "check", "--no-progress"]
    command += ["--output-format", "concise", "--jobs", "2", "."]
    runs = [
        subprocess.Popen(command, cwd=project, env=environment, stdout=subprocess.PIPE, text=True)
        for _ in range(3)
    ]
    outputs = [process.communicate(timeout=600)[0] for process in runs]
    assert outputs == [expected.out] * 3
    cache = project / ".autograd_lint_cache"
    assert len(entries(cache)) == 15
    assert not [p for p in cache.rglob("*.tmp")]
    assert check(project, ".").out == expected.out
