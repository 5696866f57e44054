"""One file's trouble stays that file's: ``match`` statements, and internal errors that are
reported for the file that caused them while the run goes on with the others."""

from __future__ import annotations

from pathlib import Path

from cli_support import run_subprocess, write

MATCH_AND_FINDING = """\
import torch

w = torch.ones(2, requires_grad=True)
w.data.mul_(2)


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
            w.data.mul_(10)
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
