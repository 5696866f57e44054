"""Pull diagnostics: result ids that say "unchanged", and the workspace report."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types
from server_helpers import RecordingClient, init_params, open_doc, replace_all
from server_snippets import AG001, CLEAN

pytestmark = pytest.mark.asyncio


async def _pull(
    client: RecordingClient, uri: str, previous: str | None = None
) -> types.DocumentDiagnosticReport:
    return await client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri), previous_result_id=previous
        )
    )


async def test_an_edit_that_changes_no_diagnostic_is_answered_unchanged(
    raw_client: RecordingClient,
) -> None:
    await raw_client.initialize_session(init_params(pull=True))
    uri = "file:///tmp/autograd_lint_pull_test/train.py"
    open_doc(raw_client, uri, AG001)
    first = await _pull(raw_client, uri)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
    assert [d.code for d in first.items] == ["AG001"]
    # A comment at the end: the text changed, the diagnostics did not.
    replace_all(raw_client, uri, AG001 + "# a note\n", version=2)
    again = await _pull(raw_client, uri, first.result_id)
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    assert again.result_id == first.result_id
    # A line inserted above moves the finding: the client must get the new range.
    replace_all(raw_client, uri, "# header\n" + AG001, version=3)
    moved = await _pull(raw_client, uri, first.result_id)
    assert isinstance(moved, types.RelatedFullDocumentDiagnosticReport)
    assert moved.items[0].range.start.line == first.items[0].range.start.line + 1
    assert moved.result_id != first.result_id


async def test_workspace_diagnostics_cover_the_folder_files(
    raw_client: RecordingClient, tmp_path: Path
) -> None:
    (tmp_path / "train.py").write_text(AG001)
    (tmp_path / "clean.py").write_text(CLEAN)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "step.py").write_text(AG001)
    (tmp_path / "notes.txt").write_text("w.data.mul_(1)\n")
    (tmp_path / "nb.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4}')
    result = await raw_client.initialize_session(init_params(root=str(tmp_path), pull=True))
    assert result.capabilities.diagnostic_provider is not None
    assert result.capabilities.diagnostic_provider.workspace_diagnostics is True
    # An open document is reported as the editor holds it, not as it is on disk.
    opened = (tmp_path / "pkg" / "step.py").as_uri()
    open_doc(raw_client, opened, CLEAN)
    await _pull(raw_client, opened)

    report = await raw_client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=[])
    )
    by_uri = {entry.uri: entry for entry in report.items}
    assert set(by_uri) == {
        (tmp_path / "train.py").as_uri(),
        (tmp_path / "clean.py").as_uri(),
        opened,
    }
    train = by_uri[(tmp_path / "train.py").as_uri()]
    assert isinstance(train, types.WorkspaceFullDocumentDiagnosticReport)
    assert [d.code for d in train.items] == ["AG001"]
    assert by_uri[opened].items == []  # type: ignore[union-attr]

    previous = [types.PreviousResultId(e.uri, e.result_id or "") for e in report.items]
    again = await raw_client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=previous)
    )
    assert all(isinstance(e, types.WorkspaceUnchangedDocumentDiagnosticReport) for e in again.items)
    # A file changed on disk is linted again.
    (tmp_path / "clean.py").write_text(AG001 + "\n")
    third = await raw_client.workspace_diagnostic_async(
        types.WorkspaceDiagnosticParams(previous_result_ids=previous)
    )
    changed = {e.uri: e for e in third.items}[(tmp_path / "clean.py").as_uri()]
    assert isinstance(changed, types.WorkspaceFullDocumentDiagnosticReport)
    assert [d.code for d in changed.items] == ["AG001"]
