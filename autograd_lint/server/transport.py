"""The server's stdio and TCP transports, read with :mod:`framing` instead of pygls' reader.

These mirror pygls' ``start_io`` and ``start_tcp`` (same writer, same shutdown path), with
the message loop replaced; everything after a message is read is pygls' own dispatch.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from threading import Event
from typing import BinaryIO

from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from autograd_lint.server.framing import READ_CHUNK, Dropped, Reader

log = logging.getLogger(__name__)


def _reader_of(server: LanguageServer, dropped: Callable[[Dropped], None]) -> Reader:
    return Reader(server.protocol, dropped)


def serve_stdio(
    server: LanguageServer,
    dropped: Callable[[Dropped], None],
    stdin: BinaryIO | None = None,
    stdout: BinaryIO | None = None,
) -> None:
    """Serve over stdin/stdout until the client exits or closes stdin."""
    source = stdin or sys.stdin.buffer
    server._stop_event = stop_event = Event()
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
    read = getattr(source, "read1", None) or source.read
    reader = _reader_of(server, dropped)

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def read_some() -> asyncio.Future[bytes]:
            return loop.run_in_executor(server.thread_pool, read, READ_CHUNK)

        await reader.run(read_some, stop_event.is_set)

    try:
        asyncio.run(main())
    except BrokenPipeError:
        log.error("the connection to the client is lost; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()


def serve_tcp(
    server: LanguageServer, dropped: Callable[[Dropped], None], host: str, port: int
) -> None:
    """Listen on ``host:port``; each connection is served as stdio would be."""
    server._stop_event = stop_event = Event()
    reader = _reader_of(server, dropped)

    async def connection(stream: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.protocol.set_writer(writer)

        async def read_some() -> bytes:
            return await stream.read(READ_CHUNK)

        await reader.run(read_some, stop_event.is_set)
        server.shutdown()

    async def listen() -> None:
        server._server = await asyncio.start_server(connection, host, port)
        addresses = ", ".join(str(sock.getsockname()) for sock in server._server.sockets)
        # the exact words pygls logs: ``announce_bound_address`` waits for this record
        logging.getLogger("pygls.server").info(f"Serving on {addresses}")
        async with server._server:
            await server._server.serve_forever()

    try:
        asyncio.run(listen())
    except asyncio.CancelledError:
        log.debug("the server was cancelled")
