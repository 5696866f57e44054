"""The VS Code extension in a real VS Code (code-server) shown in a real browser (Chromium).

One session per module (see vscode_session.py). Inside VS Code, the probe extension records
what VS Code itself holds: the diagnostics in ``vscode.languages.getDiagnostics``, the text
after the quick fix was applied through ``vscode.executeCodeActionProvider`` and
``workspace.applyEdit``, the effect of a settings change and the witness document. From the
browser, the driver records what a person sees: the squiggle and the Problems panel rows,
and saves ``artifacts/vscode-problems.png``.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import pytest
from editor_samples import AG001_SOURCE, AG001_SPAN, AG002_FIXED, AG002_SPAN
from editor_tools import (
    ARTIFACTS,
    CODE_SERVER,
    NODE24,
    PLAYWRIGHT_CORE,
    VSCE,
    VSIX,
    chromium,
    require,
)
from vscode_session import VSCodeSession, run_session

pytestmark = [pytest.mark.slow, pytest.mark.timeout(420)]

SCREENSHOT = ARTIFACTS / "vscode-problems.png"


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> VSCodeSession:
    require(
        node24=NODE24,
        code_server=CODE_SERVER,
        playwright_core=PLAYWRIGHT_CORE,
        chromium=chromium(),
        vsce=VSCE,
        vsix=VSIX,
    )
    return run_session(tmp_path_factory.mktemp("vscode"), SCREENSHOT)


def _step(session: VSCodeSession, name: str) -> None:
    status = session.probe.get("steps", {}).get(name, "not run")
    assert status == "ok", f"{name}: {status}\n{session.explain()}"


def _lsp_range(line: int, start: int, end: int) -> dict[str, Any]:
    return {
        "start": {"line": line, "character": start},
        "end": {"line": line, "character": end},
    }


def test_vscode_activates_and_shows_ag001_at_the_data_write(session: VSCodeSession) -> None:
    _step(session, "diagnostics")
    probe = session.probe
    assert probe["languageId"] == "python"
    assert probe["extensionActive"] is True
    found = [d for d in probe["diagnostics"] if d["code"] == "AG001"]
    assert len(found) == 1, probe["diagnostics"]
    (diagnostic,) = found
    assert diagnostic["source"] == "autograd-lint"
    assert diagnostic["severity"] == "error"
    assert diagnostic["range"] == _lsp_range(AG001_SPAN.line, AG001_SPAN.start, AG001_SPAN.end)
    assert ".data" in diagnostic["message"]
    assert {d["code"] for d in probe["diagnostics"]} == {"AG001"}


def test_vscode_applies_the_ag002_quick_fix(session: VSCodeSession) -> None:
    _step(session, "quickFix")
    probe = session.probe
    (ag002,) = [d for d in probe["fixDiagnostics"] if d["code"] == "AG002"]
    assert ag002["range"] == _lsp_range(AG002_SPAN.line, AG002_SPAN.start, AG002_SPAN.end)
    assert "clone" in probe["appliedAction"]
    assert probe["applied"] is True
    assert probe["textAfterFix"] == AG002_FIXED
    assert probe["fixClearsAG002"] is True
    # The probe reverted the buffer; the file on disk never changed.
    assert session.fix_file.read_text(encoding="utf-8") != AG002_FIXED


def test_vscode_marks_only_the_safe_quick_fix_preferred(session: VSCodeSession) -> None:
    _step(session, "quickFix")
    actions = session.probe["codeActions"]
    (clone,) = [a for a in actions if "clone" in a["title"]]
    assert clone["isPreferred"] is True  # AG002's fix is safe
    noqa = [a for a in actions if "noqa" in a["title"]]
    assert noqa and not any(a["isPreferred"] for a in noqa)


def test_vscode_hover_shows_the_tensor_facts_and_the_rule(session: VSCodeSession) -> None:
    _step(session, "hover")
    shown: str = session.probe["hover"]
    assert "`w`" in shown
    assert "requires grad: **yes**" in shown
    assert "leaf: yes" in shown
    assert "grad mode: on" in shown
    assert "saved for backward by `mul` at line 4" in shown
    assert "AG001" in shown  # the diagnostic under the cursor: its rule follows the facts


def test_vscode_inlay_hints_follow_the_setting(session: VSCodeSession) -> None:
    _step(session, "inlayHints")
    probe = session.probe
    assert probe["inlayHintsBeforeSetting"] == []  # off by default
    hints = {(h["line"], h["character"]): h["label"] for h in probe["inlayHints"]}
    w_line = AG001_SOURCE.splitlines().index("w = torch.randn(3, requires_grad=True)")
    assert hints[(w_line, 1)] == ": grad, leaf"
    assert hints[(w_line + 1, 1)] == ": grad"
    assert probe["inlayHintsGoWhenOff"] is True


def test_vscode_receives_the_background_runtime_check_verdict(session: VSCodeSession) -> None:
    _step(session, "confirmation")
    assert "confirmed by runtime check" in session.probe["confirmedMessage"]


def test_vscode_settings_change_reaches_the_running_server(session: VSCodeSession) -> None:
    _step(session, "settings")
    assert session.probe["settings"] == {
        "ignoredClearsAG001": True,
        "unignoreRestoresAG001": True,
    }


def test_vscode_show_witness_opens_the_script(session: VSCodeSession) -> None:
    _step(session, "witness")
    documents = session.probe["witness"]
    assert len(documents) == 1, documents
    (document,) = documents
    assert document["languageId"] == "python"
    header, _, script = document["text"].partition("\n\n")
    assert header.startswith("# autograd-lint AG001")
    assert all(line.startswith("#") for line in header.splitlines())
    compile(script, "<witness>", "exec")  # runnable as shown (parsed, never executed here)
    assert "w.data.mul_(10)" in script


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def test_browser_shows_the_squiggle_and_the_problems_panel(session: VSCodeSession) -> None:
    ui = session.ui
    assert ui.get("ok"), json.dumps(ui, indent=2) + session.logs.get("driver", "")
    assert ui["squiggles"] >= 1
    rows = ui["problems"]
    assert any("AG001" in row and "autograd-lint" in row for row in rows), rows
    assert any("AG002" in row for row in rows), rows
    assert "data_mutation" in ui["activeTab"]
    assert _png_size(session.screenshot) == (1400, 860)
