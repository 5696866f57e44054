"""Notebook cells analysed as one program, diagnostics published per cell."""

from __future__ import annotations

import pytest
from lsprotocol import types
from server_helpers import RecordingClient, codes, wait_for

pytestmark = pytest.mark.asyncio

NOTEBOOK = "file:///tmp/autograd_lint_server_test/train.ipynb"
CELLS = [
    (
        types.NotebookCellKind.Code,
        "import torch\nw = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\n",
    ),
    (types.NotebookCellKind.Markup, "# The `.data` write below is the bug\n"),
    (types.NotebookCellKind.Code, "%matplotlib inline\nscale = 10\nw.data.mul_(scale)"),
    (types.NotebookCellKind.Code, "y.backward()\nprint(w.grad)\n"),
]


def _cell_uri(index: int) -> str:
    return f"vscode-notebook-cell:/tmp/autograd_lint_server_test/train.ipynb#W{index}sZmlsZQ%3D%3D"


def _open(client: RecordingClient) -> None:
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=NOTEBOOK,
                notebook_type="jupyter-notebook",
                version=1,
                cells=[
                    types.NotebookCell(kind=k, document=_cell_uri(i))
                    for i, (k, _) in enumerate(CELLS)
                ],
            ),
            cell_text_documents=[
                types.TextDocumentItem(
                    uri=_cell_uri(i),
                    language_id="python" if k == types.NotebookCellKind.Code else "markdown",
                    version=1,
                    text=text,
                )
                for i, (k, text) in enumerate(CELLS)
            ],
        )
    )


async def test_pitfall_spanning_cells_is_reported_on_its_own_cell(client: RecordingClient) -> None:
    _open(client)
    write = await wait_for(client, _cell_uri(2), lambda p: bool(p.diagnostics))
    assert "AG001" in codes(write)
    ag001 = next(d for d in write.diagnostics if d.code == "AG001")
    # `w.data.mul_(scale)` is the third line of its cell (0-based line 2), columns 0..18.
    assert ag001.range == types.Range(types.Position(2, 0), types.Position(2, 18))
    related = {
        (r.location.uri, r.location.range.start.line) for r in ag001.related_information or []
    }
    assert (_cell_uri(0), 2) in related  # `(w * w)` saved `w`, in the first cell
    assert (_cell_uri(3), 0) in related  # the backward, in the last cell
    # Every code cell gets a publish (clean ones empty); the markdown cell none.
    first = await wait_for(client, _cell_uri(0), lambda p: True)
    last = await wait_for(client, _cell_uri(3), lambda p: True)
    assert first.diagnostics == [] and last.diagnostics == []
    assert client.recorder.latest(_cell_uri(1)) is None


async def test_cell_edit_relints_the_notebook(client: RecordingClient) -> None:
    _open(client)
    await wait_for(client, _cell_uri(2), lambda p: bool(p.diagnostics))
    count = len(client.recorder.history)
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=NOTEBOOK),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(
                                uri=_cell_uri(2), version=2
                            ),
                            changes=[
                                types.TextDocumentContentChangeWholeDocument(
                                    text="scale = 10\nprint(w.data.norm() * scale)\n"
                                )
                            ],
                        )
                    ]
                )
            ),
        )
    )
    params = await wait_for(client, _cell_uri(2), lambda p: True, after=count)
    assert params.diagnostics == []
    assert params.version == 2


async def test_hover_and_quick_fix_in_a_cell(client: RecordingClient) -> None:
    _open(client)
    write = await wait_for(client, _cell_uri(2), lambda p: bool(p.diagnostics))
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(_cell_uri(2)), types.Position(2, 3))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    assert "AG001" in hover.contents.value
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(_cell_uri(2)),
            range=write.diagnostics[0].range,
            context=types.CodeActionContext(diagnostics=list(write.diagnostics)),
        )
    )
    noqa = [a for a in actions or [] if isinstance(a, types.CodeAction) and "noqa" in a.title]
    assert noqa and noqa[0].edit is not None and noqa[0].edit.changes is not None
    (edit,) = noqa[0].edit.changes[_cell_uri(2)]
    assert edit.range.start == types.Position(2, len("w.data.mul_(scale)"))
    assert edit.new_text == "  # noqa: AG001"
    # a write the pending backward needs has no automatic fix (a no_grad rewrite would make
    # torch raise): only the suppression is offered
    fixes = [a for a in actions or [] if isinstance(a, types.CodeAction) and "noqa" not in a.title]
    assert fixes == []


async def test_close_clears_every_cell(client: RecordingClient) -> None:
    _open(client)
    await wait_for(client, _cell_uri(2), lambda p: bool(p.diagnostics))
    client.notebook_document_did_close(
        types.DidCloseNotebookDocumentParams(
            notebook_document=types.NotebookDocumentIdentifier(NOTEBOOK),
            cell_text_documents=[types.TextDocumentIdentifier(_cell_uri(i)) for i in range(4)],
        )
    )
    cleared = await wait_for(client, _cell_uri(2), lambda p: not p.diagnostics)
    assert cleared.diagnostics == []
