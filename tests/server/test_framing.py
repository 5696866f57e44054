"""JSON-RPC framing as real (and broken) clients write it: bytes on the server's stdin.

Each test ends by checking that the server still lints a document: a framing problem must
cost at most the one message, never the connection.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from raw_client import RawServer, did_open, encode, frame
from server_snippets import AG004

from autograd_lint.server.framing import MAX_MESSAGE_BYTES, find_header_line, head_fields

URI = "file:///tmp/autograd_lint_server_test/framing.py"


@pytest.fixture
def server() -> Iterator[RawServer]:
    raw = RawServer()
    raw.initialize()
    yield raw
    assert raw.close() == 0, raw.stderr()


def _lints(server: RawServer, uri: str, version: int = 1) -> None:
    server.open(uri, AG004, version)
    found = server.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"]["diagnostics"]
        )
    )
    assert [d["code"] for d in found["params"]["diagnostics"]] == ["AG004"]


def _hover(msg_id: int, uri: str = URI, line: int = 0, character: int = 0) -> dict:  # type: ignore[type-arg]
    return {
        "jsonrpc": "2.0",
        "id": msg_id,
        "method": "textDocument/hover",
        "params": {
            "textDocument": {"uri": uri},
            "position": {"line": line, "character": character},
        },
    }


@pytest.mark.parametrize(
    "header",
    [
        b"content-length: %d\r\n\r\n",
        b"CONTENT-LENGTH:%d\r\n\r\n",
        b"Content-Length :  %d  \r\n\r\n",
        b"Content-Length: %d\n\n",
        b"Content-Type: application/vscode-jsonrpc; charset=utf-8\nContent-Length: %d\n\n",
        b"Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc\r\n\r\n",
    ],
    ids=["lower", "upper-no-space", "spaces", "bare-lf", "type-first-lf", "type-after"],
)
def test_header_spellings_are_all_understood(header: bytes) -> None:
    raw = RawServer()
    try:
        raw.send_message(
            {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}},
            header,
        )
        assert "capabilities" in raw.response(1)["result"]
        raw.send_message({"jsonrpc": "2.0", "method": "initialized", "params": {}}, header)
        raw.send_message(did_open(URI, AG004), header)
        found = raw.wait(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and bool(m["params"]["diagnostics"])
            )
        )
        assert [d["code"] for d in found["params"]["diagnostics"]] == ["AG004"]
    finally:
        assert raw.close() == 0, raw.stderr()


def test_two_messages_in_one_write_and_one_message_in_pieces(server: RawServer) -> None:
    elsewhere = URI.replace("framing", "elsewhere")
    both = frame(encode(_hover(5, uri=elsewhere))) + frame(encode(did_open(URI, AG004)))
    server.send(both)
    message = frame(encode(_hover(6)))
    for start in range(0, len(message), 7):
        server.send(message[start : start + 7])
    assert "not open" in server.response(5)["error"]["message"]
    assert "error" not in server.response(6)


def test_huge_content_length_is_an_error_and_the_server_goes_on(server: RawServer) -> None:
    body = encode(_hover(7))
    server.send(b"Content-Length: 99999999999\r\n\r\n" + body)
    answer = server.response(7)
    assert answer["error"]["code"] == -32600
    assert "limit" in answer["error"]["message"]
    _lints(server, URI)


def test_message_over_the_limit_is_discarded_as_it_arrives(server: RawServer) -> None:
    uri = URI.replace("framing", "too_big")
    text = "x = 1\n" * (MAX_MESSAGE_BYTES // 6 + 10)
    server.send_message(did_open(uri, text))
    warning = server.wait(lambda m: m.get("method") == "window/showMessage")
    assert uri in warning["params"]["message"]
    assert "not checked" in warning["params"]["message"]
    # the notification had no id: the error carries null, as JSON-RPC says
    assert server.wait(lambda m: "error" in m)["id"] is None
    # later changes to the dropped document are not linted, and raise no error
    server.send_message(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"text": AG004}],
            },
        }
    )
    _lints(server, URI)
    assert all(not p["params"]["diagnostics"] for p in server.publishes(uri))
    # reopening it checks it again
    server.send_message(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didClose",
            "params": {"textDocument": {"uri": uri}},
        }
    )
    _lints(server, uri, version=3)


@pytest.mark.parametrize(
    "junk",
    [
        b"Content-Length: -5\r\n\r\n{}",
        b"Content-Length: abc\r\n\r\n",
        b"Content-Length: 5\r\n\r\n{not json",
        b"garbage without any header\r\n",
        b"Content-Length: 400\r\n\r\n" + encode(_hover(99)),  # claims more than it holds
        b"Content-Length: 2\r\n\r\n[]",
    ],
    ids=["negative", "not-a-number", "bad-json", "no-header", "short-body", "batch"],
)
def test_broken_frames_cost_one_message(server: RawServer, junk: bytes) -> None:
    server.send(junk)
    server.send_message(_hover(8, uri=URI.replace("framing", "unknown")))
    assert server.response(8)["error"]["code"] == -32602
    _lints(server, URI)


def test_invalid_positions_are_answered_with_errors(server: RawServer) -> None:
    _lints(server, URI)
    server.send_message(_hover(10, line=-1))
    answer = server.response(10)
    assert answer["error"]["code"] == -32602
    assert "textDocument/hover" in answer["error"]["message"]
    server.send_message(_hover(11, character=-3))
    assert server.response(11)["error"]["code"] == -32602
    server.send_message(
        {
            "jsonrpc": "2.0",
            "id": 12,
            "method": "textDocument/inlayHint",
            "params": {
                "textDocument": {"uri": URI},
                "range": {
                    "start": {"line": -4, "character": 0},
                    "end": {"line": 2, "character": 0},
                },
            },
        }
    )
    assert server.response(12)["error"]["code"] == -32602
    # past the end of the document is no error: LSP clamps such positions
    server.send_message(_hover(13, line=10_000, character=10_000))
    assert "error" not in server.response(13)
    # a didChange whose range is invalid cannot be applied: the document stops being checked
    server.send_message(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": {"uri": URI, "version": 2},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": -1, "character": 0},
                            "end": {"line": 0, "character": 0},
                        },
                        "text": "x",
                    }
                ],
            },
        }
    )
    warning = server.wait(lambda m: m.get("method") == "window/showMessage")
    assert URI in warning["params"]["message"]
    assert server.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == URI
            and not m["params"]["diagnostics"]
        )
    )
    _lints(server, URI.replace("framing", "next"))


def test_requests_about_unknown_documents_are_errors(server: RawServer) -> None:
    unknown = "file:///tmp/autograd_lint_server_test/never_opened.py"
    requests = {
        20: _hover(20, uri=unknown),
        21: {
            "jsonrpc": "2.0",
            "id": 21,
            "method": "textDocument/codeAction",
            "params": {
                "textDocument": {"uri": unknown},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": []},
            },
        },
        22: {
            "jsonrpc": "2.0",
            "id": 22,
            "method": "textDocument/inlayHint",
            "params": {
                "textDocument": {"uri": unknown},
                "range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}},
            },
        },
    }
    for message in requests.values():
        server.send_message(message)
    for msg_id in requests:
        error = server.response(msg_id)["error"]
        assert error["code"] == -32602
        assert "not open" in error["message"]
    _lints(server, URI)


def test_header_line_search_ignores_json_text() -> None:
    body = encode({"text": "Content-Length: 12\r\n\r\n"})  # escaped inside a JSON string
    assert find_header_line(body) == -1
    assert find_header_line(body + b"Content-Length: 12\r\n") == len(body)
    assert find_header_line(b'{"a": 1}\ncontent-length:3\n') == 9


def test_head_fields_reads_the_members_before_the_params() -> None:
    assert head_fields(b'{"jsonrpc": "2.0", "id": 3, "method": "m", "params": {"text": "ab') == {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "m",
    }
    # an id nested in the params is not the message's
    assert head_fields(b'{"method": "m", "params": {"id": 4, "text": "ab') == {"method": "m"}
    assert head_fields(b"not an object") == {}
