"""A document too complex to analyse in full shows where the analysis stopped, in the
editor, as an Information diagnostic on that line (never a silently clean file).

The statement budget is lowered to 50 in the server and its lint workers by a
``sitecustomize.py`` on their ``PYTHONPATH``, so a few loops exhaust it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig
from server_helpers import (
    SERVER_COMMAND,
    RecordingClient,
    init_params,
    make_client,
    open_doc,
    replace_all,
    wait_for,
)

pytestmark = pytest.mark.asyncio

REPO = Path(__file__).resolve().parents[2]
BUDGET = Path(tempfile.mkdtemp(prefix="autograd-lint-budget-"))
(BUDGET / "sitecustomize.py").write_text(
    "import autograd_lint.analysis.frame as _frame\n_frame.MAX_STATEMENTS = 50\n"
)
CONFIG = ClientServerConfig(
    server_command=SERVER_COMMAND,
    client_factory=make_client,
    server_env=dict(os.environ, PYTHONPATH=os.pathsep.join([str(BUDGET), str(REPO)])),
)

LOOPS = (
    "import torch\n\nw = torch.randn(3, requires_grad=True)\n"
    + "".join(f"for _ in range(2):\n    y{i} = (w * {i}).sum()\n" for i in range(60))
    + "y0.backward()\ny0.backward()\n"
)
WITHIN = (
    "import torch\n\nw = torch.randn(3, requires_grad=True)\n"
    "y = (w * 2).sum()\ny.backward()\ny.backward()\n"
)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: RecordingClient):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(init_params())
    yield
    await lsp_client.shutdown_session()


async def test_the_line_where_the_analysis_stopped_gets_an_information_note(
    client: RecordingClient,
) -> None:
    uri = "file:///tmp/autograd_lint_server_test/complex.py"
    open_doc(client, uri, LOOPS)
    params = await wait_for(client, uri, lambda p: p.version == 1)
    (note,) = [d for d in params.diagnostics if d.code == "too-complex"]
    assert note.severity == types.DiagnosticSeverity.Information
    assert note.message.startswith("skipped: too complex: the analysis stopped here after 50 ")
    line = note.range.start.line
    assert 3 <= line < LOOPS.count("\n") and note.range.start.character == 0
    assert note.range.end.character == len(LOOPS.splitlines()[line])
    assert "AG004" not in [d.code for d in params.diagnostics]  # its second backward: unseen
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line, 0))
    )
    assert hover is not None and "too complex" in str(hover.contents)

    replace_all(client, uri, WITHIN, 2)  # within the budget: the note goes, the finding shows
    params = await wait_for(client, uri, lambda p: p.version == 2)
    assert [d.code for d in params.diagnostics] == ["AG004"]
