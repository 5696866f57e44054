"""One file's trouble stays that file's: ``match`` statements, and internal errors that are
reported for the file that caused them while the run goes on with the others."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cli_support import REPO, run_subprocess, write
from fault_injection import BREAK_MARKER, install
from samples import DATA_WRITE as PITFALL
from samples import SNAPSHOT

MATCH_AND_FINDING = """\
import torch

w = torch.ones(2, requires_grad=True)
w.data = w * 2


def pick(x):
    match x:
        case 1:
            y = 2
        case [a, *rest]:
            y = a
        case _:
            y = 3
    return y
"""

FINDING_INSIDE_A_CASE = """\
import torch


def train(mode):
    w = torch.randn(3, requires_grad=True)
    y = (w * w).sum()
    match mode:
        case "scale":
            w.data = w * 10
        case _:
            pass
    y.backward()
"""


def test_match_statement_next_to_a_finding_is_checked(tmp_path: Path) -> None:
    write(tmp_path, "m.py", MATCH_AND_FINDING)
    run = run_subprocess("check", "--no-progress", "m.py", cwd=tmp_path)
    assert run.code == 1, run.err
    assert "internal error" not in run.err
    assert "m.py:4:1: AG001" in run.out


def test_finding_inside_a_match_case_is_found_where_it_is(tmp_path: Path) -> None:
    write(tmp_path, "m.py", FINDING_INSIDE_A_CASE)
    run = run_subprocess("check", "--no-progress", "m.py", cwd=tmp_path)
    assert run.code == 1, run.err
    assert "m.py:9:13: AG001" in run.out


def test_finding_inside_a_match_case_is_confirmed_by_verify(tmp_path: Path) -> None:
    write(tmp_path, "m.py", FINDING_INSIDE_A_CASE)
    run = run_subprocess("verify", "m.py", cwd=tmp_path)
    assert run.code == 1, run.err
    assert "confirmed (mini)" in run.out


# --- an internal error is one E001 finding of that file; the run goes on ----------------------

BROKEN = PITFALL + BREAK_MARKER + "\nv = torch.randn(3, requires_grad=True)\nv.clone()\n"
"""AG001 breaks on this file (the marker); its AG005-free rest is still checked."""


def _injected(tmp_path: Path) -> dict[str, str]:
    inject = install(tmp_path / "inject")
    return {"PYTHONPATH": os.pathsep.join([str(inject), str(REPO)])}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failing_rule_is_one_e001_for_its_file_and_the_run_goes_on(
    tmp_path: Path, jobs: str
) -> None:
    work = tmp_path / "work"
    write(work, "a_broken.py", BROKEN)
    write(work, "b_pitfall.py", PITFALL)
    write(work, "c_snapshot.py", SNAPSHOT)
    run = run_subprocess(
        "check", "--no-progress", "--jobs", jobs, ".", cwd=work, env=_injected(tmp_path)
    )
    assert run.code == 2, run.out + run.err  # an internal error is still exit status 2
    lines = run.out.splitlines()
    e001 = [line for line in lines if line.startswith("a_broken.py:1:1: E001 ")]
    assert len(e001) == 1, run.out
    assert "rule AG001 (data-mutation)" in e001[0]
    assert "RuntimeError: simulated bug in AG001" in e001[0]
    assert any(line.startswith("b_pitfall.py:5:1: AG001 ") for line in lines), run.out
    assert any(line.startswith("c_snapshot.py:8:") and " AG005 " in line for line in lines)
    assert "internal error while checking a_broken.py" in run.err


def test_a_failing_rule_keeps_the_other_rules_findings_of_the_file(tmp_path: Path) -> None:
    work = tmp_path / "work"
    write(work, "m.py", SNAPSHOT + BREAK_MARKER + "\n")
    run = run_subprocess(
        "check", "--no-progress", "--format", "json", "m.py", cwd=work, env=_injected(tmp_path)
    )
    found = sorted(item["code"] for item in json.loads(run.out))
    assert found == ["AG005", "E001"], run.out


def test_verbose_shows_the_traceback_of_the_failing_rule(tmp_path: Path) -> None:
    work = tmp_path / "work"
    write(work, "m.py", BROKEN)
    run = run_subprocess(
        "check", "--no-progress", "--verbose", "m.py", cwd=work, env=_injected(tmp_path)
    )
    assert "Traceback" in run.err and "simulated bug in AG001" in run.err


def test_verify_reports_the_bad_file_and_verifies_the_others(tmp_path: Path) -> None:
    work = tmp_path / "work"
    write(work, "a_broken.py", BROKEN)
    write(work, "b_pitfall.py", PITFALL)
    run = run_subprocess("verify", "a_broken.py", "b_pitfall.py", cwd=work, env=_injected(tmp_path))
    assert run.code == 1, run.out + run.err
    assert "Traceback" not in run.err
    assert "a_broken.py:1:1: E001 internal error: rule AG001" in run.out
    assert "b_pitfall.py:5:1: AG001" in run.out
    assert run.out.count("confirmed (mini)") == 1
