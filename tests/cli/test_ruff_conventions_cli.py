"""ruff's conventions: exit flags, output formats, colour, ``rule`` for core codes, ``example``."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest
from cli_support import CLEAN, DATA_WRITE, LEGACY_DATA_WRITE, run_subprocess, write


def test_exit_zero_and_exit_non_zero_on_fix(tmp_path: Path) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    run = run_subprocess("check", "train.py", "--exit-zero", cwd=tmp_path)
    assert run.code == 0
    assert "AG001" in run.out
    write(tmp_path, "legacy.py", LEGACY_DATA_WRITE)
    fixed = run_subprocess(
        "check", "legacy.py", "--select", "AG013", "--fix", "--exit-non-zero-on-fix",
        "--show-fixes", cwd=tmp_path,
    )  # fmt: skip
    assert fixed.code == 1, fixed
    assert "legacy.py: 1 fixed" in fixed.err
    assert run_subprocess("check", "legacy.py", "--select", "AG013", cwd=tmp_path).code == 0


@pytest.mark.parametrize("flag", ["--output-format", "--format"])
def test_concise_full_and_grouped(tmp_path: Path, flag: str) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    concise = run_subprocess("check", "train.py", flag, "concise", cwd=tmp_path).out
    assert concise.startswith("train.py:5:1: AG001 ")
    assert "note:" not in concise
    full = run_subprocess("check", "train.py", flag, "full", cwd=tmp_path).out
    assert "note: saved for backward here" in full
    grouped = run_subprocess("check", "train.py", flag, "grouped", cwd=tmp_path).out
    assert grouped.startswith("train.py:\n  5:1 AG001 ")


def test_json_lines_junit_and_gitlab(tmp_path: Path) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    write(tmp_path, "clean.py", CLEAN)
    lines = run_subprocess("check", ".", "--output-format", "json-lines", cwd=tmp_path).out
    rows = [json.loads(line) for line in lines.splitlines()]
    assert [(r["code"], r["filename"]) for r in rows] == [("AG001", "train.py")]
    xml = run_subprocess("check", ".", "--output-format", "junit", cwd=tmp_path).out
    root = ElementTree.fromstring(xml)
    assert root.tag == "testsuites"
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"clean.py", "train.py"}
    failures = list(suites["train.py"].iter("failure"))
    assert [f.get("type") for f in failures] == ["AG001"]
    assert list(suites["clean.py"].iter("failure")) == []
    assert root.get("tests") == "2" and root.get("failures") == "1"
    issues = json.loads(run_subprocess("check", ".", "--output-format", "gitlab", cwd=tmp_path).out)
    assert len(issues) == 1
    issue = issues[0]
    assert issue["check_name"] == "AG001"
    assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
    assert issue["location"] == {"path": "train.py", "lines": {"begin": 5, "end": 5}}
    assert len(issue["fingerprint"]) == 64


def test_colour_follows_force_color_and_no_color(tmp_path: Path) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    plain = run_subprocess("check", "train.py", cwd=tmp_path, env={"FORCE_COLOR": ""})
    assert "\x1b[" not in plain.out  # a pipe is not a terminal
    forced = run_subprocess("check", "train.py", cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert "\x1b[1m\x1b[31mAG001\x1b[0m" in forced.out
    both = run_subprocess(
        "check", "train.py", cwd=tmp_path, env={"FORCE_COLOR": "1", "NO_COLOR": "1"}
    )
    assert "\x1b[" not in both.out


@pytest.mark.parametrize("code", ["E999", "E902", "AG001"])
def test_rule_documents_core_codes_and_speaks_json(tmp_path: Path, code: str) -> None:
    page = run_subprocess("rule", code, cwd=tmp_path)
    assert page.code == 0, page
    assert f"({code})" in page.out
    facts = json.loads(run_subprocess("rule", code, "--output-format", "json", cwd=tmp_path).out)
    assert facts["code"] == code
    assert facts["explanation"] == page.out
    listing = run_subprocess("rule", "--all", cwd=tmp_path).out
    assert code in listing


def test_example_does_not_advertise_a_fix_it_lacks(tmp_path: Path) -> None:
    run = run_subprocess("example", "--runtime-check", "off", cwd=tmp_path)
    assert run.code == 1, run
    assert "Found" in run.err
    assert "--fix" not in run.err
    concise = run_subprocess(
        "example", "--runtime-check", "off", "--output-format", "concise", cwd=tmp_path
    )
    assert "note:" not in concise.out and concise.code == 1


def test_file_level_directives(tmp_path: Path) -> None:
    write(tmp_path, "skipped.py", "# autograd-lint: skip-file\n" + DATA_WRITE)
    write(tmp_path, "ignored.py", "# autograd-lint: file-ignore[AG001]\n" + DATA_WRITE)
    write(tmp_path, "other.py", "# autograd-lint: file-ignore[AG004]\n" + DATA_WRITE)
    write(tmp_path, "quoted.py", DATA_WRITE + 'x = "# autograd-lint: skip-file"\n')
    run = run_subprocess("check", ".", "--output-format", "concise", cwd=tmp_path)
    reported = {line.split(":")[0] for line in run.out.splitlines()}
    assert reported == {"other.py", "quoted.py"}, run.out
