"""What the server holds: a result cache bounded by bytes, and memory handed back on close."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest
from lsprotocol import types
from server_helpers import RecordingClient, codes, lint_workers, open_doc, poll, wait_for
from server_snippets import AG001, AG004

from autograd_lint.diagnostics import FileResult
from autograd_lint.lint import lint_source
from autograd_lint.server.memory import ResultCache, pickled_size, release

URI = "file:///tmp/autograd_lint_server_test/memory.py"


def _result(text: str) -> FileResult:
    return lint_source(text, "m.py")


def test_cache_is_bounded_by_bytes_not_entries() -> None:
    small = _result(AG004)
    size = pickled_size(small)
    cache: ResultCache[int, FileResult] = ResultCache(max_bytes=size * 10, max_entries=1000)
    for key in range(100):
        assert cache.put(key, small)
    assert cache.bytes <= size * 10
    assert len(cache) == 10
    assert cache.get(99) is small and cache.get(89) is None  # least recently used went first


def test_cache_keeps_what_was_used_last_and_refuses_giants() -> None:
    small = _result(AG004)
    size = pickled_size(small)
    cache: ResultCache[str, FileResult] = ResultCache(max_bytes=size * 8)
    cache.put("a", small)
    cache.put("b", small)
    assert cache.get("a") is small  # now the most recent
    for key in "cdefgh":
        cache.put(key, small)
    cache.put("i", small)
    assert cache.get("b") is None and cache.get("a") is small
    (finding,) = small.diagnostics
    giant = FileResult("g.py", tuple(replace(finding, message=f"{i}") for i in range(40)))
    assert pickled_size(giant) > size * 2
    assert cache.put("giant", giant) is False
    assert cache.get("giant") is None
    assert cache.get("a") is small  # refusing the giant pushed nothing out
    cache.put("a", giant)  # a key whose new value is refused loses the old one
    assert cache.get("a") is None
    assert cache.bytes == sum(pickled_size(cache.get(k)) for k in "cdefghi")  # type: ignore[misc]


def test_release_is_harmless_to_call() -> None:
    release()
    release()


def _large_document() -> str:
    block = (
        "\n\ndef step_{i}(model, batch, opt):\n"
        "    out = model(batch)\n"
        "    loss = out.mean()\n"
        "    loss.backward()\n"
        "    opt.step()\n"
    )
    parts, size, i = ["import torch\n"], 0, 0
    while size < 540 * 1024:  # just over the large-document threshold
        part = block.format(i=i)
        parts.append(part)
        size, i = size + len(part), i + 1
    return "".join(parts) + "\n\n" + AG001.replace("import torch\n", "")


@pytest.mark.asyncio
@pytest.mark.slow
async def test_closing_the_last_large_document_ends_its_worker(client: RecordingClient) -> None:
    server = client._server
    assert server is not None
    small = URI.replace("memory", "small")
    open_doc(client, small, AG004)
    await wait_for(client, small, lambda p: p.version == 1)
    small_workers = lint_workers(server.pid)
    assert len(small_workers) == 1
    large = URI.replace("memory", "large")
    open_doc(client, large, _large_document())
    done = await wait_for(client, large, lambda p: p.version == 1, timeout=240)
    assert "AG001" in codes(done)  # the lint finished: its worker is idle, not cancelled
    assert len(lint_workers(server.pid)) == 2
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(large))
    )
    assert await poll(lambda: lint_workers(server.pid) == small_workers, 30)
    await wait_for(client, large, lambda p: p.diagnostics == [], timeout=10)
    # the small document's worker stayed, and a large document opened later gets a new one
    open_doc(client, URI, AG004)
    assert codes(await wait_for(client, URI, lambda p: p.version == 1)) == ["AG004"]
    assert lint_workers(server.pid) == small_workers


@pytest.mark.asyncio
@pytest.mark.slow
async def test_closing_one_large_document_keeps_the_lint_of_another(
    client: RecordingClient,
) -> None:
    server = client._server
    assert server is not None
    first, second = URI.replace("memory", "large_a"), URI.replace("memory", "large_b")
    open_doc(client, first, _large_document())
    await wait_for(client, first, lambda p: p.version == 1, timeout=240)
    open_doc(client, second, _large_document() + "\n# the second one\n")
    await asyncio.sleep(0.5)  # its lint is under way in the large-document worker
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(first))
    )
    done = await wait_for(client, second, lambda p: p.version == 1, timeout=240)
    assert "AG001" in codes(done)
    assert len(lint_workers(server.pid)) == 2  # the second document still holds the worker
