"""One real VS Code session (code-server, driven by headless Chromium) for the editor tests.

Steps: install the built autograd-lint .vsix and the test probe extension into a fresh
extensions directory, start code-server on a free loopback port with a fresh user-data
directory, open the workspace in Chromium (code-server starts the extension host only for a
connected workbench), let the probe extension check the autograd-lint extension from inside
VS Code, then show the Problems panel and take a screenshot. Nothing leaves the machine: the
gallery is switched off and Chromium's background networking is disabled.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from editor_samples import write_samples
from editor_tools import (
    CODE_SERVER,
    HERE,
    NODE24,
    PLAYWRIGHT_CORE,
    VSCE,
    VSIX,
    chromium,
    free_port,
    server_environment,
    server_interpreter,
)

PROBE_SOURCE = HERE / "vscode_probe"
UI_DRIVER = HERE / "vscode_ui.js"
STEP_TIMEOUT_MS = 60_000
"""How long one check inside VS Code waits (diagnostics, a fix, a settings round trip)."""
SESSION_TIMEOUT_S = 240
"""How long the whole browser session may take."""

USER_SETTINGS: dict[str, Any] = {
    "security.workspace.trust.enabled": False,
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "extensions.ignoreRecommendations": True,
    "chat.disableAIFeatures": True,
    "window.commandCenter": False,
    "editor.minimap.enabled": False,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "files.autoSave": "off",
}


@dataclass
class VSCodeSession:
    """What one session saw: the probe's record, the browser's record, and where logs are."""

    probe: dict[str, Any]
    ui: dict[str, Any]
    screenshot: Path
    fix_file: Path
    logs: dict[str, str] = field(default_factory=dict)

    def explain(self) -> str:
        """Everything useful for a failure message."""
        return json.dumps({"probe": self.probe, "ui": self.ui, "logs": self.logs}, indent=2)[
            -12000:
        ]


def _environment(work: Path) -> dict[str, str]:
    env = server_environment()
    env["EXTENSIONS_GALLERY"] = json.dumps({"serviceUrl": ""})
    # code-server keeps state under the XDG folders: a fresh session gets fresh ones.
    env["XDG_CONFIG_HOME"] = str(work / "home" / ".config")
    env["XDG_DATA_HOME"] = str(work / "home" / ".local" / "share")
    env.pop("VSCODE_IPC_HOOK_CLI", None)
    return env


def _code_server(*args: str) -> list[str]:
    return [str(NODE24), str(CODE_SERVER / "out" / "node" / "entry.js"), *args]


def _package_probe(work: Path, env: dict[str, str]) -> Path:
    """The probe extension as a .vsix (built in a scratch copy, so the repo stays clean)."""
    source = work / "probe-src"
    shutil.copytree(PROBE_SOURCE, source)
    (source / "LICENSE").write_text("MIT\n", encoding="utf-8")
    target = work / "probe.vsix"
    subprocess.run(
        [
            str(VSCE),
            "package",
            "--no-dependencies",
            "--allow-missing-repository",
            "--skip-license",
            "--out",
            str(target),
        ],
        cwd=source,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return target


def _install_extensions(dirs: dict[str, Path], env: dict[str, str], probe: Path) -> str:
    proc = subprocess.run(
        _code_server(
            "--user-data-dir",
            str(dirs["user"]),
            "--extensions-dir",
            str(dirs["extensions"]),
            "--install-extension",
            str(VSIX),
            "--install-extension",
            str(probe),
        ),
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    output = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise RuntimeError(f"code-server --install-extension failed:\n{output}")
    return output


def _wait_for_http(url: str, process: subprocess.Popen[bytes], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"code-server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"code-server did not answer {url} within {timeout_s} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stops code-server and everything it started (its own process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
        process.wait(timeout=10)


def run_session(work: Path, screenshot: Path) -> VSCodeSession:
    """Runs the whole session once; raises only when the session could not be set up."""
    browser = chromium()
    assert browser is not None
    dirs = {name: work / name for name in ("user", "extensions", "chromium-profile", "home")}
    for path in dirs.values():
        path.mkdir(parents=True, exist_ok=True)
    workspace = work / "workspace"
    ag001, ag002 = write_samples(workspace)
    for scope in ("User", "Machine"):
        (dirs["user"] / scope).mkdir(parents=True)
    (dirs["user"] / "User" / "settings.json").write_text(json.dumps(USER_SETTINGS), "utf-8")
    # code-server runs extensions on the "remote" side, where machine-scoped settings come
    # from the Machine file. The extension's own fallback is used:
    # `<interpreter> -m autograd_lint server`.
    machine_settings = {"autograd-lint.interpreter": server_interpreter()}
    (dirs["user"] / "Machine" / "settings.json").write_text(json.dumps(machine_settings), "utf-8")

    env = _environment(work)
    logs: dict[str, str] = {}
    logs["install"] = _install_extensions(dirs, env, _package_probe(work, env))

    probe_results = work / "probe-results.json"
    probe_config = work / "probe.json"
    probe_config.write_text(
        json.dumps(
            {
                "results": str(probe_results),
                "diagnosticsFile": str(ag001),
                "fixFile": str(ag002),
                "timeoutMs": STEP_TIMEOUT_MS,
            }
        ),
        encoding="utf-8",
    )
    env["AUTOGRAD_LINT_PROBE"] = str(probe_config)
    port = free_port()
    (dirs["home"] / "config.yaml").write_text("auth: none\ncert: false\n", encoding="utf-8")
    server_log = work / "code-server.log"
    with server_log.open("wb") as log_file:
        process = subprocess.Popen(
            _code_server(
                "--config",
                str(dirs["home"] / "config.yaml"),
                "--bind-addr",
                f"127.0.0.1:{port}",
                "--auth",
                "none",
                "--disable-telemetry",
                "--disable-update-check",
                "--disable-workspace-trust",
                "--disable-getting-started-override",
                "--user-data-dir",
                str(dirs["user"]),
                "--extensions-dir",
                str(dirs["extensions"]),
                str(workspace),
            ),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_http(f"{base}/healthz", process, 60)
        ui_results = work / "ui-results.json"
        ui_config = work / "ui.json"
        ui_config.write_text(
            json.dumps(
                {
                    "playwright": str(PLAYWRIGHT_CORE),
                    "chromium": str(browser),
                    "url": f"{base}/?folder={workspace}",
                    "probeResults": str(probe_results),
                    "screenshot": str(screenshot),
                    "results": str(ui_results),
                    "profileDir": str(dirs["chromium-profile"]),
                    "timeoutMs": SESSION_TIMEOUT_S * 1000 // 2,
                }
            ),
            encoding="utf-8",
        )
        driver = subprocess.run(
            [str(NODE24), str(UI_DRIVER), str(ui_config)],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=SESSION_TIMEOUT_S,
            check=False,
        )
        logs["driver"] = driver.stdout + driver.stderr
    finally:
        _stop(process)
        logs["code-server"] = server_log.read_text(encoding="utf-8", errors="replace")[-6000:]
    probe = _read(probe_results, "the probe extension wrote no results")
    ui = _read(ui_results, "the browser driver wrote no results")
    return VSCodeSession(probe, ui, screenshot, ag002, logs)


def _read(path: Path, missing: str) -> dict[str, Any]:
    if not path.exists():
        return {"ok": False, "error": missing, "steps": {}}
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
