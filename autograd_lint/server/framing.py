"""JSON-RPC framing for the server's transports, tolerant of what real clients send.

pygls' own reader only understands ``Content-Length: N\\r\\n`` spelled exactly so: a client
that writes ``content-length:N`` or ends its lines with a bare LF is never heard, a length of
``99999999999`` makes it try to read (and allocate) that much, and a body that fails to
deserialize (a negative position) is logged and left unanswered, so the client waits forever.

This reader works on its own buffer:

- a header is found by searching for ``Content-Length`` in any case, with any spacing around
  the colon and ``\\r\\n`` or ``\\n`` line ends; other headers are skipped; bytes that are no
  header (what is left of a broken message) are skipped up to the next one;
- a body over :data:`MAX_MESSAGE_BYTES` is answered with an error and discarded as it
  arrives, never held: memory stays flat whatever length a header claims;
- a body that ends early (the next header turns up before its length is reached) is cut
  there, answered with an error, and reading resumes at that header. A header line cannot
  occur inside a JSON text (a raw line break is invalid in a JSON string, and the header's
  words are no JSON token), so the cut never lands inside a valid message;
- every request gets an answer: a body that is no JSON is a parse error (id null, as JSON-RPC
  says), a request whose parameters do not deserialize is "invalid params" with its own id.

A document notification that cannot be applied (too large, or invalid) leaves the server's
copy of that document wrong, so :class:`Dropped` hands its method and URI to the server,
which forgets the document rather than lint text the editor does not have.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from lsprotocol import types
from pygls.protocol import JsonRPCProtocol

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 64 * 1024 * 1024
"""The largest body read: a 10 MB source file is about 11 MB once JSON-escaped."""

MAX_HEADER_BYTES = 64 * 1024
"""A header block (or a run of junk without a header) longer than this is dropped."""

READ_CHUNK = 256 * 1024
HEAD_BYTES = 64 * 1024
"""What is kept of a discarded body to find its id, method and document."""

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
INVALID_PARAMS = -32602

_LENGTH = re.compile(rb"content-length[ \t]*:[ \t]*([^\r\n]*?)[ \t]*\r?\n", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"content-length[ \t]*:[ \t]*[0-9]+[ \t]*\r?\n", re.IGNORECASE)
_HEADER_REACH = 96
"""How far before its line break a header line may start (spaces and a 20-digit length)."""
_LINE_END = re.compile(rb"\r?\n")
_URI = re.compile(rb'"uri"\s*:\s*("(?:[^"\\]|\\.)*")')

DOCUMENT_NOTIFICATIONS = frozenset(
    {
        types.TEXT_DOCUMENT_DID_OPEN,
        types.TEXT_DOCUMENT_DID_CHANGE,
        types.NOTEBOOK_DOCUMENT_DID_OPEN,
        types.NOTEBOOK_DOCUMENT_DID_CHANGE,
    }
)

ReadSome = Callable[[], Awaitable[bytes]]
"""Up to :data:`READ_CHUNK` bytes from the transport; empty at its end."""


@dataclass(frozen=True)
class Dropped:
    """A document notification that was not applied: ``uri`` is out of sync from here on."""

    method: str
    uri: str
    reason: str


class _Stream:
    """A byte buffer over a transport that delivers bytes in pieces."""

    def __init__(self, read_some: ReadSome) -> None:
        self._read_some = read_some
        self.buffer = bytearray()
        self.ended = False

    async def fill(self) -> bool:
        """Read once more; False at the end of the transport."""
        if self.ended:
            return False
        data = await self._read_some()
        if not data:
            self.ended = True
            return False
        self.buffer += data
        return True

    def compact(self) -> None:
        """Let go of the room a large body took (a bytearray keeps its allocation)."""
        if len(self.buffer) < READ_CHUNK:
            self.buffer = bytearray(self.buffer)


async def _header(stream: _Stream) -> tuple[bytes, int] | None:
    """The next header block: (its Content-Length value, bytes skipped before it), with the
    block removed from the buffer; None at the end of the transport."""
    skipped = 0
    while True:
        match = _LENGTH.search(stream.buffer)
        if match is not None:
            end = _end_of_headers(stream.buffer, match.end())
            if end is not None:
                skipped += match.start()
                value = bytes(match.group(1))
                del stream.buffer[:end]
                return value, skipped
            if len(stream.buffer) - match.start() > MAX_HEADER_BYTES:
                skipped += match.end()  # a header block without end: junk
                del stream.buffer[: match.end()]
                continue
        elif len(stream.buffer) > MAX_HEADER_BYTES:
            keep = _HEADER_REACH  # junk without a header: keep only what may start one
            skipped += len(stream.buffer) - keep
            del stream.buffer[:-keep]
        if not await stream.fill():
            return None


def _end_of_headers(buffer: bytearray, start: int) -> int | None:
    """Where the body starts: after the first empty line at or after ``start``."""
    position = start
    while True:
        line_end = _LINE_END.search(buffer, position)
        if line_end is None:
            return None
        if not buffer[position : line_end.start()].strip():
            return line_end.end()
        position = line_end.end()


def find_header_line(buffer: bytes | bytearray, start: int = 0, end: int | None = None) -> int:
    """Where the first ``Content-Length`` header line ending in ``[start, end)`` starts; -1
    if none. Found from its line break (a fast byte search): JSON as clients write it has
    none, so a body is scanned at memory speed."""
    end = len(buffer) if end is None else end
    position = start
    while True:
        line_end = buffer.find(b"\n", position, end)
        if line_end < 0:
            return -1
        match = _HEADER_LINE.search(buffer, max(line_end - _HEADER_REACH, 0), line_end + 1)
        if match is not None and match.end() == line_end + 1:
            return match.start()
        position = line_end + 1


async def _body(stream: _Stream, length: int) -> tuple[bytes, bool]:
    """``length`` bytes of body, or fewer when the next header comes first (then True).

    A complete body is searched too: with a length too large, the next messages may already
    be in the buffer, and would otherwise be swallowed into this one.
    """
    searched = 0
    while True:
        complete = len(stream.buffer) >= length
        cut = find_header_line(stream.buffer, searched, min(len(stream.buffer), length))
        if cut >= 0:
            body = bytes(stream.buffer[:cut])
            del stream.buffer[:cut]
            return body, True
        if complete:
            break
        searched = max(len(stream.buffer) - 1, 0)
        if not await stream.fill():
            body = bytes(stream.buffer)
            stream.buffer.clear()
            return body, True
    body = bytes(stream.buffer[:length])
    del stream.buffer[:length]
    return body, False


async def _head(stream: _Stream) -> bytes:
    """The start of a body, as much as has arrived (after waiting for one read at most)."""
    if not stream.buffer:
        await stream.fill()
    return bytes(stream.buffer[:HEAD_BYTES])


async def _discard(stream: _Stream, length: int) -> None:
    """Drop ``length`` bytes of body as they arrive, stopping early at a header."""
    left = length
    while True:
        cut = find_header_line(stream.buffer, 0, min(len(stream.buffer), left))
        if cut >= 0:
            del stream.buffer[:cut]
            return
        if len(stream.buffer) >= left:
            del stream.buffer[:left]
            return
        keep = min(_HEADER_REACH, len(stream.buffer))
        left -= len(stream.buffer) - keep
        del stream.buffer[: len(stream.buffer) - keep]
        if not await stream.fill():
            stream.buffer.clear()
            return


def head_fields(head: bytes) -> dict[str, Any]:
    """The top-level scalar members at the start of a (possibly cut) JSON object: the
    ``id`` and ``method`` of a message too large to read, when they come before its params."""
    found: dict[str, Any] = {}
    text = head.decode("utf-8", "replace")
    decoder = json.JSONDecoder()
    position = _skip_space(text, 0)
    if not text.startswith("{", position):
        return found
    position += 1
    while True:
        position = _skip_space(text, position)
        try:
            key, position = decoder.raw_decode(text, position)
            position = _skip_space(text, position)
            if not text.startswith(":", position):
                return found
            value, position = decoder.raw_decode(text, _skip_space(text, position + 1))
        except ValueError:
            return found
        if isinstance(key, str) and not isinstance(value, dict | list):
            found[key] = value
        position = _skip_space(text, position)
        if not text.startswith(",", position):
            return found
        position += 1


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _first_uri(data: bytes) -> str | None:
    match = _URI.search(data)
    if match is None:
        return None
    try:
        uri = json.loads(match.group(1))
    except ValueError:
        return None
    return uri if isinstance(uri, str) else None


def _valid_id(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


class Reader:
    """Reads framed messages from a transport and hands them to a pygls protocol."""

    def __init__(
        self,
        protocol: JsonRPCProtocol,
        dropped: Callable[[Dropped], None] = lambda item: None,
        max_bytes: int = MAX_MESSAGE_BYTES,
    ) -> None:
        self.protocol = protocol
        self.dropped = dropped
        self.max_bytes = max_bytes

    async def run(self, read_some: ReadSome, stopped: Callable[[], bool]) -> None:
        """Serve messages until the transport ends or ``stopped()``."""
        stream = _Stream(read_some)
        while not stopped():
            header = await _header(stream)
            if header is None:
                return
            value, skipped = header
            if skipped:
                log.warning("skipped %d bytes that were not a message", skipped)
            if not value.isdigit():
                self._error(None, INVALID_REQUEST, f"invalid Content-Length header {value!r}")
                continue
            length = int(value)
            if length > self.max_bytes:
                await self._oversized(stream, length)
                continue
            body, cut = await _body(stream, length)
            if length > READ_CHUNK:
                stream.compact()
            if cut:
                log.warning("a message ended after %d of its %d bytes", len(body), length)
            self.handle(body)

    async def _oversized(self, stream: _Stream, length: int) -> None:
        """Answer at once (the sender may wait for the answer before sending more), then
        drop the body."""
        head = await _head(stream)
        cut = find_header_line(head)
        head = head[:cut] if cut >= 0 else head
        fields = head_fields(head)
        method = fields.get("method")
        message = (
            f"message of {length} bytes is larger than the server's limit of "
            f"{self.max_bytes} bytes; it was not read"
        )
        log.warning("%s (method %s)", message, method or "unknown")
        msg_id = fields.get("id")
        if _valid_id(msg_id) or "id" not in fields:
            # a request's own id when it came before the params; else null, as JSON-RPC says
            # for a message whose id could not be read
            self._error(msg_id if _valid_id(msg_id) else None, INVALID_REQUEST, message)
        self._maybe_dropped(method, _first_uri(head), message)
        await _discard(stream, length)

    def handle(self, body: bytes) -> None:
        """Deserialize one body and dispatch it; answer what cannot be dispatched."""
        try:
            message = json.loads(body, object_hook=self.protocol.structure_message)
        except Exception as error:
            self._undeliverable(body, error)
            return
        try:
            self.protocol.handle_message(message)
        except Exception:
            log.exception("handling a message failed")

    def _undeliverable(self, body: bytes, error: Exception) -> None:
        try:
            raw = json.loads(body)
        except (ValueError, RecursionError):
            self._error(None, PARSE_ERROR, "the message is not JSON")
            return
        if not isinstance(raw, dict):
            self._error(None, INVALID_REQUEST, "a message must be a JSON object")
            return
        method = raw.get("method")
        reason = _reason(error)
        if "id" in raw and isinstance(method, str):
            msg_id = raw["id"]
            code = INVALID_PARAMS if "params" in raw else INVALID_REQUEST
            self._error(msg_id if _valid_id(msg_id) else None, code, f"{method}: {reason}")
            return
        log.warning("dropped a message (%s): %s", method or "response", reason)
        if isinstance(method, str):
            params = raw.get("params")
            uri = _uri_of(params)
            self._maybe_dropped(method, uri, f"invalid {method}: {reason}")

    def _maybe_dropped(self, method: Any, uri: str | None, reason: str) -> None:
        if method in DOCUMENT_NOTIFICATIONS and uri:
            try:
                self.dropped(Dropped(str(method), uri, reason))
            except Exception:
                log.exception("forgetting %s failed", uri)

    def _error(self, msg_id: Any, code: int, message: str) -> None:
        # a plain object: pygls' own response type would leave out an id of null
        response = {"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}}
        try:
            self.protocol._send_data(response)
        except Exception:
            log.exception("answering an undeliverable message failed")


def _uri_of(params: Any) -> str | None:
    if not isinstance(params, dict):
        return None
    for key in ("textDocument", "notebookDocument"):
        document = params.get(key)
        if isinstance(document, dict) and isinstance(document.get("uri"), str):
            return str(document["uri"])
    return None


def _reason(error: BaseException) -> str:
    """A one-line account of a deserialization failure (cattrs nests the real cause)."""
    cause: BaseException | None = error
    while cause is not None and cause.__cause__ is not None:
        cause = cause.__cause__
    exceptions = getattr(cause, "exceptions", None)
    while exceptions:
        cause = exceptions[0]
        exceptions = getattr(cause, "exceptions", None)
    text = str(cause or error).splitlines()[0] if str(cause or error) else type(error).__name__
    return f"invalid params ({text[:200]})"
