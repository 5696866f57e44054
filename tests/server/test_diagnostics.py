"""Push and pull diagnostics from a real server process."""

from __future__ import annotations

import time

import pytest
from lsprotocol import types
from server_helpers import (
    RecordingClient,
    codes,
    init_params,
    open_doc,
    replace_all,
    wait_for,
)
from server_snippets import AG001, AG002, AG004, CLEAN

from autograd_lint.lint import lint_source
from autograd_lint.rules import RULES_BY_CODE

pytestmark = pytest.mark.asyncio

URI = "file:///tmp/autograd_lint_server_test/train.py"


async def test_open_publishes_ag001_with_everything_an_editor_shows(
    client: RecordingClient,
) -> None:
    open_doc(client, URI, AG001, version=3)
    params = await wait_for(client, URI, lambda p: bool(p.diagnostics))
    assert params.version == 3
    (diagnostic,) = [d for d in params.diagnostics if d.code == "AG001"]
    # Line 4 (1-based) of the snippet is `w.data.mul_(10)`: LSP line 3.
    assert diagnostic.range == types.Range(types.Position(3, 0), types.Position(3, 15))
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.source == "autograd-lint"
    assert diagnostic.code_description is not None
    assert diagnostic.code_description.href == RULES_BY_CODE["AG001"].url()
    related = diagnostic.related_information or []
    assert {r.location.uri for r in related} == {URI}
    assert any(r.location.range.start.line == 2 for r in related)  # the product saved `w`
    assert any(r.location.range.start.line == 4 for r in related)  # the backward
    assert isinstance(diagnostic.data, dict)
    assert diagnostic.data["code"] == "AG001"
    (finding,) = [d for d in lint_source(AG001).diagnostics if d.code == "AG001"]
    assert diagnostic.data["witness"] is (finding.witness is not None)
    assert diagnostic.message == finding.message


async def test_change_and_save_republish_for_the_new_text(client: RecordingClient) -> None:
    open_doc(client, URI, AG001)
    await wait_for(client, URI, lambda p: "AG001" in codes(p))
    replace_all(client, URI, CLEAN, version=2)
    params = await wait_for(client, URI, lambda p: p.version == 2)
    assert params.diagnostics == []
    replace_all(client, URI, AG004, version=3)
    params = await wait_for(client, URI, lambda p: p.version == 3)
    assert codes(params) == ["AG004"]
    (diagnostic,) = params.diagnostics
    assert diagnostic.range.start.line == 4
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(URI))
    )
    count = len(client.recorder.history)
    params = await wait_for(client, URI, lambda p: True, after=count)
    assert codes(params) == ["AG004"]


async def test_incremental_edit_is_applied_before_linting(client: RecordingClient) -> None:
    open_doc(client, URI, CLEAN)
    await wait_for(client, URI, lambda p: p.version == 1)
    # Insert the `.data` write of AG001 before the backward, as a typed edit would.
    text = "import torch\nw = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\ny.backward()\n"
    replace_all(client, URI, text, version=2)
    await wait_for(client, URI, lambda p: p.version == 2)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(3, 0), types.Position(3, 0)),
                    text="w.data.mul_(10)\n",
                )
            ],
        )
    )
    params = await wait_for(client, URI, lambda p: p.version == 3)
    assert "AG001" in codes(params)
    assert next(d for d in params.diagnostics if d.code == "AG001").range.start.line == 3


async def test_burst_of_edits_ends_with_diagnostics_for_the_final_text(
    client: RecordingClient,
) -> None:
    open_doc(client, URI, CLEAN)
    await wait_for(client, URI, lambda p: p.version == 1)
    texts = [AG001, CLEAN, AG004, AG002]
    for version in range(2, 43):
        replace_all(client, URI, texts[version % len(texts)], version=version)
    final = await wait_for(client, URI, lambda p: p.version == 42)
    assert codes(final) == ["AG004"]  # texts[42 % 4] is AG004
    # Nothing older may arrive after the final version.
    late = [p for p in client.recorder.history[client.recorder.history.index(final) + 1 :]]
    assert all(p.version == 42 for p in late if p.uri == URI)
    published = [p.version for p in client.recorder.history if p.uri == URI]
    assert published == sorted(published), "publishes went back to an older version"
    # Debouncing: far fewer lints were published than edits were sent.
    assert len(published) < 20


async def test_an_edit_is_linted_at_once_unless_it_comes_in_a_burst(
    raw_client: RecordingClient,
) -> None:
    """The quiet time holds back edits that come while a lint is still to come; an edit of
    a document whose results are shown is linted without it.

    The burst opens with a long text (thousands of lines, a lint of about a second), so the
    rest of the burst surely arrives while its lint is still running, however loaded the
    machine: a short first edit could be linted and published before the next one is read,
    and that next edit would then rightly be linted at once too."""
    quiet = 4.0
    long_text = AG004 + "".join(
        f"\ndef f{i}(x):\n    y = torch.relu(x * {i})\n    return y.sum()\n" for i in range(1500)
    )
    await raw_client.initialize_session(init_params({"debounceMs": int(quiet * 1000)}))
    open_doc(raw_client, URI, CLEAN)
    await wait_for(raw_client, URI, lambda p: p.version == 1)
    started = time.monotonic()
    replace_all(raw_client, URI, AG001, version=2)
    params = await wait_for(raw_client, URI, lambda p: p.version == 2)
    assert time.monotonic() - started < quiet - 0.5
    assert "AG001" in codes(params)
    started = time.monotonic()
    replace_all(raw_client, URI, long_text, version=3)
    for version in range(4, 8):
        replace_all(raw_client, URI, [CLEAN, AG004][version % 2], version=version)
    final = await wait_for(raw_client, URI, lambda p: p.version == 7)
    assert time.monotonic() - started >= quiet
    assert codes(final) == ["AG004"]
    published = [p.version for p in raw_client.recorder.history if p.uri == URI]
    assert not {4, 5, 6} & set(published)  # the burst's middle was never linted alone


async def test_syntax_error_mid_edit_gives_e999_and_server_recovers(
    client: RecordingClient,
) -> None:
    open_doc(client, URI, AG001)
    await wait_for(client, URI, lambda p: "AG001" in codes(p))
    broken = AG001.replace("y = (w * w).sum()", "y = (w * w.sum(")
    replace_all(client, URI, broken, version=2)
    params = await wait_for(client, URI, lambda p: p.version == 2)
    assert codes(params) == ["E999"]
    assert params.diagnostics[0].severity == types.DiagnosticSeverity.Error
    assert params.diagnostics[0].code_description is None  # no rule page for a syntax error
    replace_all(client, URI, AG001, version=3)
    params = await wait_for(client, URI, lambda p: p.version == 3)
    assert "AG001" in codes(params)


async def test_close_clears_diagnostics(client: RecordingClient) -> None:
    open_doc(client, URI, AG001)
    await wait_for(client, URI, lambda p: bool(p.diagnostics))
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(URI))
    )
    params = await wait_for(client, URI, lambda p: not p.diagnostics)
    assert params.diagnostics == []


async def test_several_documents_are_linted_independently(client: RecordingClient) -> None:
    other = URI.replace("train.py", "other.py")
    open_doc(client, URI, AG001)
    open_doc(client, other, AG004)
    first = await wait_for(client, URI, lambda p: bool(p.diagnostics))
    second = await wait_for(client, other, lambda p: bool(p.diagnostics))
    assert "AG001" in codes(first)
    assert codes(second) == ["AG004"]


async def test_severity_setting_maps_to_lsp_severity(raw_client: RecordingClient) -> None:
    await raw_client.initialize_session(
        init_params({"severity": {"AG001": "info", "AG004": "warning"}})
    )
    open_doc(raw_client, URI, AG001)
    params = await wait_for(raw_client, URI, lambda p: bool(p.diagnostics))
    ag001 = next(d for d in params.diagnostics if d.code == "AG001")
    assert ag001.severity == types.DiagnosticSeverity.Information
    replace_all(raw_client, URI, AG004, version=2)
    params = await wait_for(raw_client, URI, lambda p: p.version == 2)
    assert params.diagnostics[0].severity == types.DiagnosticSeverity.Warning


async def test_pull_diagnostics(raw_client: RecordingClient) -> None:
    result = await raw_client.initialize_session(init_params(pull=True))
    assert result.capabilities.diagnostic_provider is not None
    open_doc(raw_client, URI, AG001)
    report = await raw_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(URI))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert "AG001" in [d.code for d in report.items]
    assert report.items[0].range.start.line == 3
    # Asking again with the result id of an unchanged document: "unchanged".
    again = await raw_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(URI), previous_result_id=report.result_id
        )
    )
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    replace_all(raw_client, URI, CLEAN, version=2)
    report = await raw_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(URI), previous_result_id=report.result_id
        )
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert report.items == []
    # A pull client gets no pushed diagnostics (they would show twice).
    assert raw_client.recorder.history == []


async def test_pull_capability_without_refresh_gets_pushes(raw_client: RecordingClient) -> None:
    # a client that pulls but cannot be asked to pull again (Neovim 0.10/0.11) would keep
    # stale results after a settings change or a runtime verdict: such clients get pushes
    params = init_params(pull=True)
    assert params.capabilities.workspace is not None
    params.capabilities.workspace.diagnostics = None
    await raw_client.initialize_session(params)
    open_doc(raw_client, URI, AG001)
    pushed = await wait_for(raw_client, URI, lambda p: bool(p.diagnostics))
    assert "AG001" in [d.code for d in pushed.diagnostics]
