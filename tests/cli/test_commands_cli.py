"""``rule``, ``example``, ``verify`` and ``server``: docs, the bundled example, lazy wiring."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import REPO, Run, run_subprocess

from autograd_lint.commands.example import example_path
from autograd_lint.rules import ALL_RULES, RULES_BY_CODE

Cli = Callable[..., Run]


def test_rule_prints_the_rule_docs(cli: Cli) -> None:
    run = cli("rule", "AG001")
    assert run.code == 0
    assert run.out == RULES_BY_CODE["AG001"].docs_markdown()
    assert run.out.startswith("# data-mutation (AG001)")
    assert cli("rule", "ag004").out == RULES_BY_CODE["AG004"].docs_markdown()
    assert cli("rule", "clone-instead-of-detach").out == RULES_BY_CODE["AG005"].docs_markdown()


def test_rule_all_lists_the_catalogue(cli: Cli) -> None:
    run = cli("rule", "--all")
    assert run.code == 0
    lines = run.out.splitlines()
    # The catalogue, then the checker's own codes (documented too: `rule E999`).
    assert [line.split()[0] for line in lines] == [rule.code for rule in ALL_RULES] + [
        "E999",
        "E902",
        "E001",
    ]
    for line, rule in zip(lines, ALL_RULES, strict=False):
        assert rule.name in line and line.endswith(rule.summary)


def test_unknown_rule_exits_2(cli: Cli) -> None:
    run = cli("rule", "AG999")
    assert run.code == 2
    assert "unknown rule 'AG999'" in run.err and "AG001" in run.err
    assert cli("rule").code == 2


def test_no_command_prints_help_and_exits_2(cli: Cli) -> None:
    run = cli()
    assert run.code == 2 and "check" in run.err


DEFAULT_RULE_CODES = sorted(rule.code for rule in ALL_RULES if rule.code != "AG013")
"""The bundled example has one case of each rule; AG013 is off by default."""


def test_example_is_packaged_and_finds_one_case_of_each_default_rule(cli: Cli) -> None:
    path = example_path()
    assert path.is_file()
    assert path.parent.name == "examples" and path.parent.parent.name == "autograd_lint"
    run = cli("example", "--runtime-check", "off")
    assert run.code == 1
    codes = [line.split()[1] for line in run.out.splitlines() if not line.startswith(" ")]
    assert sorted(codes) == DEFAULT_RULE_CODES
    assert "runtime check: off" in run.err


def test_example_shows_its_off_by_default_case_when_asked(cli: Cli) -> None:
    run = cli("check", str(example_path()), "--extend-select", "AG013", "--statistics")
    counts = {line.split("\t")[1]: int(line.split("\t")[0]) for line in run.out.splitlines()}
    assert counts == {code: 1 for code in [*DEFAULT_RULE_CODES, "AG013"]}


def test_example_runs_the_runtime_check_by_default(tmp_path: Path) -> None:
    run = run_subprocess("example", "--format", "json", cwd=tmp_path)
    assert run.code == 1, run.err
    findings = json.loads(run.out)
    assert sorted(f["code"] for f in findings) == DEFAULT_RULE_CODES
    # The mini engine is the default, and it reproduces every pitfall a replay can show;
    # AG014 (anomaly mode left on) only costs time: a static rule with nothing to replay.
    verdicts = {
        f["code"]: f["confirmation"] and (f["confirmation"]["status"], f["confirmation"]["backend"])
        for f in findings
    }
    assert verdicts.pop("AG014") is None
    assert set(verdicts.values()) == {("confirmed", "mini")}, verdicts


def test_server_argv_is_passed_through(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import autograd_lint.server as server

    received: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        received.append(argv)
        return 0

    monkeypatch.setattr(server, "main", fake_main)
    assert cli("server", "--tcp", "127.0.0.1:2087", "--log-level", "DEBUG").code == 0
    assert received == [["--tcp", "127.0.0.1:2087", "--log-level", "DEBUG"]]


def test_verify_is_wired_to_its_module(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    import autograd_lint.runtime_check.verify_cmd as verify_cmd

    seen: list[argparse.Namespace] = []

    def add_arguments(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("target")
        parser.add_argument("--backend", default="mini")

    def run(args: argparse.Namespace) -> int:
        seen.append(args)
        return 7

    monkeypatch.setattr(verify_cmd, "add_arguments", add_arguments)
    monkeypatch.setattr(verify_cmd, "run", run)
    assert cli("verify", "train.py:5", "--backend", "torch").code == 7
    assert (seen[0].target, seen[0].backend) == ("train.py:5", "torch")


BROKEN = """
import sys
sys.modules[{module!r}] = None  # makes any import of it fail
from autograd_lint.cli import main
sys.exit(main({argv!r}))
"""


def run_with_broken(module: str, argv: list[str], cwd: Path) -> tuple[int, str, str]:
    completed = subprocess.run(
        [sys.executable, "-c", BROKEN.format(module=module, argv=argv)],
        cwd=cwd,
        env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return completed.returncode, completed.stdout, completed.stderr


def test_check_works_when_verify_and_server_are_broken(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text("import torch\nx = torch.ones(2)\nx.sum().backward()\n")
    for module in ("autograd_lint.runtime_check.verify_cmd", "autograd_lint.server"):
        code, out, _ = run_with_broken(module, ["check", "t.py"], tmp_path)
        assert code == 1 and " AG003 " in out
    code, _, err = run_with_broken(
        "autograd_lint.runtime_check.verify_cmd", ["verify", "t.py"], tmp_path
    )
    assert code == 2 and "the verify command is not available" in err
    code, _, err = run_with_broken("autograd_lint.server", ["server", "--stdio"], tmp_path)
    assert code == 2 and "the language server is not available" in err


def test_unavailable_runtime_check_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "t.py").write_text("import torch\nx = torch.ones(2)\nx.sum().backward()\n")
    code, _, err = run_with_broken(
        "autograd_lint.runtime_check", ["check", "t.py", "--runtime-check", "mini"], tmp_path
    )
    assert code == 2
    assert "the runtime check is not available" in err and "--runtime-check off" in err
    assert "Traceback" not in err
    # `example` falls back to no runtime check instead of failing.
    code, out, err = run_with_broken("autograd_lint.runtime_check", ["example"], tmp_path)
    assert code == 1 and "runtime check: off" in err and " AG001 " in out
