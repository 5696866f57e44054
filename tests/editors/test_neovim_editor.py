"""The Neovim plugin in a real, headless Neovim: diagnostics, a quick fix applied through the
built-in client, settings reaching the running server, and the witness command.

Neovim runs once per module (``nvim_test.lua`` does every check and writes what Neovim holds
to JSON); the tests below assert on that record. Neovim always runs under a timeout: a Lua
error at top level would otherwise leave a headless Neovim waiting forever.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from editor_samples import AG001_SOURCE, AG001_SPAN, AG002_FIXED, AG002_SPAN, write_samples
from editor_tools import (
    HERE,
    NEOVIM_PLUGIN_DIR,
    nvim,
    require,
    server_environment,
    server_interpreter,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]

STEP_TIMEOUT_MS = 60_000
RUN_TIMEOUT_S = 180


@pytest.fixture(scope="module", params=["config", "start"])
def nvim_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """One Neovim run per way of starting the server: vim.lsp.config/enable (0.11+) and
    vim.lsp.start (the 0.9 / 0.10 path, forced here with ``api = "start"``)."""
    binary = nvim()
    require(nvim=binary)
    assert binary is not None
    work = tmp_path_factory.mktemp(f"nvim-{request.param}")
    ag001, ag002 = write_samples(work / "project")
    results = work / "results.json"
    config = {
        "plugin": str(NEOVIM_PLUGIN_DIR),
        "cmd": [server_interpreter(), "-m", "autograd_lint", "server"],
        "settings": {"runtimeCheck": "mini"},
        "diagnosticsFile": str(ag001),
        "fixFile": str(ag002),
        "results": str(results),
        "timeoutMs": STEP_TIMEOUT_MS,
        "api": request.param,
        "hover": [AG001_SPAN.line, AG001_SPAN.start],
    }
    config_file = work / "config.json"
    config_file.write_text(json.dumps(config), encoding="utf-8")
    env = server_environment()
    env["AUTOGRAD_LINT_NVIM_TEST"] = str(config_file)
    env["XDG_STATE_HOME"] = str(work / "state")  # keep Neovim's logs out of $HOME
    command = [
        "timeout",
        "-k",
        "5",
        str(RUN_TIMEOUT_S),
        str(binary),
        "--headless",
        "--clean",
        "-u",
        str(HERE / "nvim_test.lua"),
    ]
    proc = subprocess.run(
        command,
        cwd=work / "project",
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S + 15,
        check=False,
    )
    if not results.exists():
        pytest.fail(
            f"Neovim wrote no results (exit {proc.returncode}).\n"
            f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
        )
    record: dict[str, Any] = json.loads(results.read_text(encoding="utf-8"))
    record["exit"] = proc.returncode
    record["stderr"] = proc.stderr
    record["fixFile"] = Path(ag002)
    return record


def _step(record: dict[str, Any], name: str) -> None:
    status = record["steps"].get(name, "not run")
    assert status == "ok", f"{name}: {status}"


def test_neovim_exits_cleanly_after_all_checks(nvim_run: dict[str, Any]) -> None:
    assert nvim_run["ok"], json.dumps(nvim_run["steps"], indent=2)
    assert nvim_run["exit"] == 0, nvim_run["stderr"]


def test_neovim_shows_ag001_at_the_data_write(nvim_run: dict[str, Any]) -> None:
    _step(nvim_run, "diagnostics")
    assert nvim_run["filetype"] == "python"
    assert nvim_run["client"]["name"] == "autograd_lint"
    assert nvim_run["enabledThroughLspConfig"] is (nvim_run["api"] == "config")
    found = [d for d in nvim_run["diagnostics"] if d["code"] == "AG001"]
    assert len(found) == 1, nvim_run["diagnostics"]
    (diagnostic,) = found
    assert diagnostic["source"] == "autograd-lint"
    assert diagnostic["severity"] == "ERROR"
    assert (diagnostic["lnum"], diagnostic["col"]) == (AG001_SPAN.line, AG001_SPAN.start)
    assert (diagnostic["end_lnum"], diagnostic["end_col"]) == (AG001_SPAN.line, AG001_SPAN.end)
    assert ".data" in diagnostic["message"]
    # Only the write is a pitfall: nothing else in the file is flagged.
    assert {d["code"] for d in nvim_run["diagnostics"]} == {"AG001"}


def test_neovim_applies_the_ag002_quick_fix(nvim_run: dict[str, Any]) -> None:
    _step(nvim_run, "quickFix")
    (ag002,) = [d for d in nvim_run["fixDiagnostics"] if d["code"] == "AG002"]
    assert (ag002["lnum"], ag002["col"], ag002["end_col"]) == (
        AG002_SPAN.line,
        AG002_SPAN.start,
        AG002_SPAN.end,
    )
    assert any("clone" in title for title in nvim_run["codeActions"]), nvim_run["codeActions"]
    assert nvim_run["textAfterFix"] == AG002_FIXED
    # The fix went into the buffer only; the file on disk is untouched.
    assert nvim_run["fixFile"].read_text(encoding="utf-8") != AG002_FIXED
    assert nvim_run["fixClearsAG002"] is True


def test_neovim_marks_only_the_safe_quick_fix_preferred(nvim_run: dict[str, Any]) -> None:
    _step(nvim_run, "quickFix")
    preferred = nvim_run["preferred"]
    (clone,) = [title for title in preferred if "clone" in title]
    assert preferred[clone] is True  # AG002's fix is safe: the one an auto-fix key applies
    noqa = [title for title in preferred if "noqa" in title]
    assert noqa and not any(preferred[title] for title in noqa)


def test_neovim_hover_shows_the_tensor_facts_and_the_rule(nvim_run: dict[str, Any]) -> None:
    _step(nvim_run, "hover")
    shown: str = nvim_run["hover"]
    assert "`w`" in shown
    assert "requires grad: **yes**" in shown
    assert "leaf: yes" in shown
    assert "grad mode: on" in shown
    assert "saved for backward by `mul` at line 4" in shown
    assert "AG001" in shown  # the diagnostic under the cursor: its rule follows the facts


def test_neovim_inlay_hints_follow_the_setting(nvim_run: dict[str, Any]) -> None:
    _step(nvim_run, "inlayHints")
    assert nvim_run["inlayHintsBeforeSetting"] == []  # off by default
    hints = {(h["line"], h["character"]): h["label"] for h in nvim_run["inlayHints"]}
    w_line = AG001_SOURCE.splitlines().index("w = torch.randn(3, requires_grad=True)")
    assert hints[(w_line, 1)] == ": grad, leaf"
    assert hints[(w_line + 1, 1)] == ": grad"  # y = (w * w).sum(): requires grad, no leaf
    assert nvim_run["inlayHintsGoWhenOff"] is True


def test_neovim_receives_the_background_runtime_check_verdict(nvim_run: dict[str, Any]) -> None:
    _step(nvim_run, "confirmation")
    assert "confirmed by runtime check" in nvim_run["confirmedMessage"]


def test_neovim_settings_reach_the_running_server(nvim_run: dict[str, Any]) -> None:
    _step(nvim_run, "settings")
    assert nvim_run["settingsRoundTrip"] is True


def test_neovim_witness_command_shows_a_runnable_script(nvim_run: dict[str, Any]) -> None:
    _step(nvim_run, "witness")
    witness: str = nvim_run["witness"]
    header, _, script = witness.partition("\n\n")
    assert header.startswith("# autograd-lint AG001")
    assert all(line.startswith("#") for line in header.splitlines())
    compile(script, "<witness>", "exec")  # runnable as shown (parsed, never executed here)
    assert "w.data.mul_(10)" in script
    assert "requires_grad=True" in script
    assert script.strip() != AG001_SOURCE.strip()  # a generated witness, not the file echoed
