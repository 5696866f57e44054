"""The server follows imports of the project's own modules, and re-lints their importers."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from server_helpers import RecordingClient, codes, open_doc, wait_for

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
