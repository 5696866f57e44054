"""``check --confirmed-only``: a zero-noise report of the findings a replay proved."""

from __future__ import annotations

import json
from pathlib import Path

from cli_support import run_subprocess, write

PROVEN = """\
import torch

w = torch.randn(3, requires_grad=True)
y = torch.sigmoid(w)
y.sum().backward()
y.sum().backward()
"""

UNPROVEN = """\
import torch

w = torch.randn(3, requires_grad=True)
ys = [torch.sigmoid(w * k) for k in range(2)]
y = ys[0]
y.sum().backward()
y.sum().backward()
"""
"""A true repeated backward whose witness cannot be replayed (a comprehension is outside
what a witness may contain): reported by a plain check, left out by --confirmed-only."""


def test_only_confirmed_findings_are_reported_and_the_rest_counted(tmp_path: Path) -> None:
    write(tmp_path, "proven.py", PROVEN)
    write(tmp_path, "unproven.py", UNPROVEN)
    everything = run_subprocess("check", ".", "--output-format", "json", cwd=tmp_path)
    reported = {(f["filename"].rsplit("/", 1)[-1], f["code"]) for f in json.loads(everything.out)}
    assert ("proven.py", "AG004") in reported
    assert ("unproven.py", "AG004") in reported
    run = run_subprocess("check", ".", "--confirmed-only", "--output-format", "json", cwd=tmp_path)
    assert run.code == 1
    shown = json.loads(run.out)
    assert [(f["filename"].rsplit("/", 1)[-1], f["code"]) for f in shown] == [
        ("proven.py", "AG004")
    ]
    assert shown[0]["confirmation"]["status"] == "confirmed"
    assert "--confirmed-only: 1 finding not shown" in run.err


def test_nothing_confirmed_exits_clean(tmp_path: Path) -> None:
    write(tmp_path, "unproven.py", UNPROVEN)
    run = run_subprocess("check", "unproven.py", "--confirmed-only", cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    assert "not shown" in run.err


def test_confirmed_only_does_not_combine_with_fix(tmp_path: Path) -> None:
    write(tmp_path, "proven.py", PROVEN)
    run = run_subprocess("check", "proven.py", "--confirmed-only", "--fix", cwd=tmp_path)
    assert run.code == 2 and "--confirmed-only" in run.err


def test_cuda_with_the_mini_engine_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path, "proven.py", PROVEN)
    run = run_subprocess(
        "check", "proven.py", "--runtime-check", "mini", "--device", "cuda", cwd=tmp_path
    )
    assert run.code == 2 and "--runtime-check torch" in run.err
    verify = run_subprocess(
        "verify", "proven.py", "--backend", "mini", "--device", "cuda", cwd=tmp_path
    )
    assert verify.code == 2 and "--backend torch" in verify.err
