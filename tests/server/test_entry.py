"""The entry point: argument parsing, and a session over TCP instead of stdio."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

import pytest
from lsprotocol import types
from pygls.lsp.client import LanguageClient
from server_snippets import AG004

from autograd_lint.server import build_parser, main


def test_arguments() -> None:
    assert build_parser().parse_args([]).tcp is None
    assert build_parser().parse_args(["--tcp", "localhost:2087"]).tcp == ("localhost", 2087)
    assert build_parser().parse_args(["--tcp", ":2087"]).tcp == ("127.0.0.1", 2087)
    for bad in (["--tcp", "localhost"], ["--tcp", "h:port"], ["--stdio", "--tcp", "h:1"]):
        with pytest.raises(SystemExit) as exit_info:
            main(bad)
        assert exit_info.value.code == 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.asyncio
async def test_session_over_tcp() -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "autograd_lint.server", "--tcp", f"127.0.0.1:{port}"],
        stdin=subprocess.DEVNULL,
    )
    client = LanguageClient("tcp-test", "1")
    published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_publish(params: types.PublishDiagnosticsParams) -> None:
        published.put_nowait(params)

    try:
        for _ in range(200):
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.1)
        else:
            pytest.fail("the server never listened")
        result = await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                initialization_options={"debounceMs": 10, "runtimeCheck": "off"},
            )
        )
        assert result.server_info is not None and result.server_info.name == "autograd-lint"
        client.initialized(types.InitializedParams())
        uri = "file:///tmp/autograd_lint_server_test/tcp.py"
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, AG004))
        )
        params = await asyncio.wait_for(published.get(), 60)
        assert params.uri == uri
        assert [d.code for d in params.diagnostics] == ["AG004"]
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        await client.stop()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert server.returncode == 0
