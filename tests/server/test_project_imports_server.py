"""The server follows imports of the project's own modules, and re-lints their importers."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from server_helpers import RecordingClient, codes, init_params, open_doc, replace_all, wait_for

pytestmark = pytest.mark.asyncio

MODELS = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)

    def forward(self, x):
        h = torch.sigmoid(self.fc(x))
        h.mul_(2)
        return h.sum()
"""
TRAIN = "import torch\nfrom models import Net\n\nloss = Net()(torch.randn(2, 4))\nloss.backward()\n"


async def test_a_finding_in_an_imported_module_and_its_update_on_save(
    client: RecordingClient, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    models = tmp_path / "models.py"
    models.write_text(MODELS)
    train = tmp_path / "train.py"
    train.write_text(TRAIN)
    uri = train.as_uri()
    open_doc(client, uri, TRAIN)
    params = await wait_for(client, uri, lambda p: bool(p.diagnostics))
    assert codes(params) == ["AG002"]
    (diagnostic,) = params.diagnostics
    assert diagnostic.range.start.line == 3  # the call in train.py
    related = diagnostic.related_information or []
    elsewhere = [r for r in related if r.location.uri == models.as_uri()]
    assert {r.location.range.start.line for r in elsewhere} == {10, 11}
    count = len(client.recorder.history)
    models.write_text(MODELS.replace("        h.mul_(2)\n", ""))
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(models.as_uri()))
    )
    params = await wait_for(client, uri, lambda p: not p.diagnostics, after=count)
    assert params.diagnostics == []


async def test_the_workspace_folder_is_the_root_when_nothing_below_it_is_marked(
    raw_client: RecordingClient, tmp_path: Path
) -> None:
    """No pyproject.toml nor .git: ``from lib.models import Net`` in ``scripts/train.py``
    resolves from the workspace folder, as running it from there would."""
    await raw_client.initialize_session(init_params(root=str(tmp_path)))
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "models.py").write_text(MODELS)
    (tmp_path / "scripts").mkdir()
    train = tmp_path / "scripts" / "train.py"
    text = TRAIN.replace("from models import", "from lib.models import")
    train.write_text(text)
    open_doc(raw_client, train.as_uri(), text)
    params = await wait_for(raw_client, train.as_uri(), lambda p: bool(p.diagnostics))
    assert codes(params) == ["AG002"]


async def test_a_module_outside_the_workspace_folder_is_not_read(
    raw_client: RecordingClient, tmp_path: Path
) -> None:
    """The same files with the workspace folder at ``scripts/``: ``lib`` lies outside it."""
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "models.py").write_text(MODELS)
    (tmp_path / "scripts").mkdir()
    await raw_client.initialize_session(init_params(root=str(tmp_path / "scripts")))
    train = tmp_path / "scripts" / "train.py"
    text = TRAIN.replace("from models import", "from lib.models import") + "\nx = 1\n"
    train.write_text(text)
    open_doc(raw_client, train.as_uri(), text)
    params = await wait_for(raw_client, train.as_uri(), lambda p: True)
    assert params.diagnostics == []


async def test_unsaved_edits_of_an_imported_module_count_before_it_is_saved(
    client: RecordingClient, tmp_path: Path
) -> None:
    """The editor's text of an open module is what its importers see: the fix typed in
    ``models.py`` clears ``train.py``'s finding at once, and closing ``models.py`` unsaved
    brings the file's text (and the finding) back."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'demo'\n")
    models = tmp_path / "models.py"
    models.write_text(MODELS)
    train = tmp_path / "train.py"
    train.write_text(TRAIN)
    uri = train.as_uri()
    open_doc(client, uri, TRAIN)
    await wait_for(client, uri, lambda p: codes(p) == ["AG002"])
    open_doc(client, models.as_uri(), MODELS)
    await wait_for(client, models.as_uri(), lambda p: True)
    count = len(client.recorder.history)
    replace_all(client, models.as_uri(), MODELS.replace("        h.mul_(2)\n", ""), 2)
    await wait_for(client, uri, lambda p: not p.diagnostics, after=count)
    assert models.read_text() == MODELS  # nothing was saved
    count = len(client.recorder.history)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(models.as_uri()))
    )
    params = await wait_for(client, uri, lambda p: bool(p.diagnostics), after=count)
    assert codes(params) == ["AG002"]
