"""The server stays up and correct under bad input, huge input and floods of edits."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcMethodNotFound
from server_helpers import (
    RecordingClient,
    codes,
    lint_workers,
    open_doc,
    poll,
    replace_all,
    wait_for,
)
from server_snippets import AG001, AG004, CLEAN

pytestmark = pytest.mark.asyncio

URI = "file:///tmp/autograd_lint_server_test/robust.py"


def _send_raw(client: RecordingClient, body: bytes) -> None:
    writer = client.protocol.writer
    assert writer is not None
    writer.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)


async def _still_serving(client: RecordingClient, uri: str) -> None:
    open_doc(client, uri, AG004)
    params = await wait_for(client, uri, lambda p: p.version == 1)
    assert codes(params) == ["AG004"]


async def test_malformed_messages_do_not_stop_the_server(client: RecordingClient) -> None:
    _send_raw(client, b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {')
    _send_raw(client, b"not json at all")
    _send_raw(client, b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": 7}')
    _send_raw(
        client, b'{"jsonrpc": "2.0", "id": 999, "method": "textDocument/hover", "params": {}}'
    )
    await _still_serving(client, URI)


async def test_unknown_method_is_method_not_found_and_server_continues(
    client: RecordingClient,
) -> None:
    with pytest.raises(JsonRpcMethodNotFound):
        await client.protocol.send_request_async("autograd-lint/noSuchMethod", {"x": 1})
    client.protocol.notify("autograd-lint/noSuchNotification", {"x": 1})
    await _still_serving(client, URI)


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


async def _storm(client: RecordingClient, first_version: int, count: int) -> int:
    """``count`` incremental edits, like fast typing: a comment grows one character at a time."""
    version = first_version
    for step in range(count):
        version += 1
        line = step % 3  # touch different lines, all inside comments or whitespace
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(line, 0), types.Position(line, 0)),
                        text="#",
                    )
                ],
            )
        )
        if step % 100 == 99:
            await asyncio.sleep(0)  # let the transport drain, as a real editor would
    return version


async def test_storm_of_changes_ends_right_and_memory_stays_bounded(
    client: RecordingClient,
) -> None:
    server = client._server
    assert server is not None
    start = "\n\n\n" + CLEAN
    open_doc(client, URI, start)
    await wait_for(client, URI, lambda p: p.version == 1)
    version = await _storm(client, 1, 1000)
    replace_all(client, URI, "\n\n\n" + AG001, version=version + 1)
    version += 1
    final = await wait_for(client, URI, lambda p: p.version == version, timeout=120)
    assert "AG001" in codes(final)
    assert next(d for d in final.diagnostics if d.code == "AG001").range.start.line == 6
    published = [p for p in client.recorder.history if p.uri == URI]
    assert len(published) < 100, "every edit was linted: debouncing did not work"
    before = _rss_kb(server.pid)
    version = await _storm(client, version, 1000)
    replace_all(client, URI, "\n\n\n" + AG004, version=version + 1)
    version += 1
    final = await wait_for(client, URI, lambda p: p.version == version, timeout=120)
    assert codes(final) == ["AG004"]
    after = _rss_kb(server.pid)
    assert after - before < 64 * 1024, f"server RSS grew from {before} kB to {after} kB"
    # Still responsive right after the storm.
    hover = await asyncio.wait_for(
        client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(URI), types.Position(7, 0))
        ),
        timeout=10,
    )
    assert hover is not None


def _huge_document(target_bytes: int) -> str:
    block = (
        "\n\ndef step_{i}(model, batch, opt):\n"
        "    x, target = batch\n"
        "    out = model(x)\n"
        "    loss = ((out - target) ** 2).mean()\n"
        "    opt.zero_grad()\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        "    return loss.item()\n"
    )
    parts = ["import torch\n"]
    size, i = 0, 0
    while size < target_bytes:
        part = block.format(i=i)
        parts.append(part)
        size += len(part)
        i += 1
    parts.append("\n\n" + AG001.replace("import torch\n", ""))
    return "".join(parts)


async def test_huge_document_does_not_block_and_its_lint_stops_when_closed(
    client: RecordingClient,
) -> None:
    server = client._server
    assert server is not None
    small = URI.replace("robust", "small")
    await _still_serving(client, small)  # the small-document worker is up
    small_workers = lint_workers(server.pid)
    assert len(small_workers) == 1
    text = _huge_document(5 * 1024 * 1024)
    assert len(text) > 5 * 1024 * 1024
    huge = URI.replace("robust", "huge")
    open_doc(client, huge, text)
    assert await poll(lambda: len(lint_workers(server.pid)) == 2, 60), "no large worker"
    # While the huge file is analysed, small files still get diagnostics and requests are
    # answered promptly.
    started = time.monotonic()
    other = URI.replace("robust", "other")
    await _still_serving(client, other)
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(other), types.Position(4, 2))
    )
    assert hover is not None
    assert time.monotonic() - started < 30
    assert client.recorder.latest(huge) is None, "the huge file finished first; nothing shown"
    # Editing the huge file stops the stale lint and starts a new one.
    (large,) = lint_workers(server.pid) - small_workers
    replace_all(client, huge, text + "\n# edited\n", version=2)
    assert await poll(lambda: large not in lint_workers(server.pid), 20), "stale lint kept"
    # Closing it stops its lint altogether, and the server goes on serving.
    assert await poll(lambda: len(lint_workers(server.pid)) == 2, 60)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(huge))
    )
    assert await poll(lambda: lint_workers(server.pid) == small_workers, 20)
    await _still_serving(client, URI.replace("robust", "after"))
