"""Runtime confirmation in the background, and the showWitness command."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from server_helpers import RecordingClient, init_params, open_doc, replace_all, wait_for
from server_snippets import AG001, AG004, CLEAN

pytestmark = pytest.mark.asyncio

URI = "file:///tmp/autograd_lint_server_test/runtime.py"
SUFFIX = " (confirmed by runtime check: mini)"


def _confirmed(params: types.PublishDiagnosticsParams) -> bool:
    return any(d.message.endswith(SUFFIX) for d in params.diagnostics)


async def test_findings_are_republished_once_confirmed(raw_client: RecordingClient) -> None:
    await raw_client.initialize_session(init_params({"runtimeCheck": "mini"}))
    open_doc(raw_client, URI, AG004)
    first = await wait_for(raw_client, URI, lambda p: bool(p.diagnostics))
    assert not _confirmed(first)  # published before any replay finished
    confirmed = await wait_for(raw_client, URI, _confirmed, timeout=90)
    assert confirmed.version == first.version == 1
    (diagnostic,) = confirmed.diagnostics
    assert diagnostic.message == first.diagnostics[0].message + SUFFIX
    assert isinstance(diagnostic.data, dict)
    verdict = diagnostic.data["confirmation"]
    assert verdict["status"] == "confirmed" and verdict["backend"] == "mini"
    assert "Trying to backward through the graph a second time" in verdict["evidence"]
    assert diagnostic.range == first.diagnostics[0].range


async def test_confirmation_of_a_stale_version_is_never_published(
    raw_client: RecordingClient,
) -> None:
    await raw_client.initialize_session(init_params({"runtimeCheck": "mini"}))
    open_doc(raw_client, URI, AG001)
    await wait_for(raw_client, URI, lambda p: bool(p.diagnostics))
    replace_all(raw_client, URI, CLEAN, version=2)
    final = await wait_for(raw_client, URI, lambda p: p.version == 2)
    assert final.diagnostics == []
    await asyncio.sleep(3)  # longer than one replay takes
    latest = raw_client.recorder.latest(URI)
    assert latest is not None and latest.version == 2 and latest.diagnostics == []


async def test_show_witness_returns_script_expectation_and_verdict(
    client: RecordingClient,
) -> None:
    open_doc(client, URI, AG004)
    params = await wait_for(client, URI, lambda p: bool(p.diagnostics))
    index = next(i for i, d in enumerate(params.diagnostics) if d.code == "AG004")
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="autograd-lint.showWitness", arguments=[URI, index])
    )
    assert result["code"] == "AG004"
    assert result["script"].count("backward()") == 2
    assert result["expectation"]["kind"] == "raises"
    assert result["expectation"]["exception"] == "RuntimeError"
    # The runtime check is off in this session, yet asking for the witness replays it.
    assert result["verdict"]["status"] == "confirmed"
    assert result["verdict"]["evidence"].startswith("RuntimeError: Trying to backward")
    by_range = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="autograd-lint.showWitness",
            arguments=[
                URI,
                {
                    "code": "AG004",
                    "range": {
                        "start": {"line": 4, "character": 0},
                        "end": {"line": 4, "character": 15},
                    },
                },
            ],
        )
    )
    assert by_range["script"] == result["script"]


async def test_show_witness_rejects_bad_arguments(client: RecordingClient) -> None:
    open_doc(client, URI, AG001)
    await wait_for(client, URI, lambda p: bool(p.diagnostics))
    with pytest.raises(JsonRpcException):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="autograd-lint.showWitness", arguments=[URI, 99])
        )
    with pytest.raises(JsonRpcException):
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="autograd-lint.showWitness", arguments=[42])
        )


async def test_pull_client_is_asked_to_refresh_after_confirmation(
    raw_client: RecordingClient,
) -> None:
    params = init_params({"runtimeCheck": "mini"}, pull=True)
    assert params.capabilities.workspace is not None
    params.capabilities.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(
        refresh_support=True
    )
    await raw_client.initialize_session(params)
    open_doc(raw_client, URI, AG004)
    request = types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(URI))
    first = await raw_client.text_document_diagnostic_async(request)
    assert isinstance(first, types.RelatedFullDocumentDiagnosticReport)
    assert not first.items[0].message.endswith(SUFFIX)
    deadline = asyncio.get_running_loop().time() + 90
    # every refresh is answered with a pull, as an editor does, until the verdict is in
    answered = 0
    while True:
        assert asyncio.get_running_loop().time() < deadline, "no refresh carried the verdict"
        if raw_client.diagnostic_refresh_count > answered:
            answered = raw_client.diagnostic_refresh_count
            again = await raw_client.text_document_diagnostic_async(request)
            assert isinstance(again, types.RelatedFullDocumentDiagnosticReport)
            if again.items[0].message.endswith(SUFFIX):
                break
        await asyncio.sleep(0.05)
    assert again.items[0].message == first.items[0].message + SUFFIX
    assert again.result_id != first.result_id
