"""The autograd-lint language server (pygls): ``autograd-lint server`` or
``python -m autograd_lint.server``.

Speaks LSP over stdio by default, or over TCP with ``--tcp HOST:PORT`` (handy for attaching a
debugger or an editor to a long-running server).
"""

from __future__ import annotations

import argparse
import logging
import sys


def _address(text: str) -> tuple[str, int]:
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}")
    return host or "127.0.0.1", int(port)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograd-lint server", description="Run the autograd-lint language server."
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (default)")
    mode.add_argument("--tcp", metavar="HOST:PORT", type=_address, help="listen on a TCP port")
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="log level for messages written to stderr",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and serve until the client says exit; returns the exit status."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    # pygls logs every message at INFO and DEBUG: only our own logger follows --log-level.
    logging.getLogger("autograd_lint").setLevel(args.log_level)
    from autograd_lint.server.app import create_server

    server = create_server()
    if args.tcp is not None:
        host, port = args.tcp
        announce_bound_address(server)
        server.start_tcp(host, port)
    else:
        server.start_io()
    return 0


def announce_bound_address(server: object) -> None:
    """Print ``listening on HOST:PORT`` on stderr once the TCP socket is bound.

    With ``--tcp HOST:0`` the system picks the port, and a client (an editor, a test) can only
    connect if it is told which. pygls binds inside ``start_tcp`` and logs "Serving on" right
    after; that record is the moment to read the bound sockets from the server.
    """

    class Announce(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            if str(record.msg).startswith("Serving on"):
                listening = getattr(server, "_server", None)
                for sock in getattr(listening, "sockets", None) or ():
                    bound_host, bound_port = sock.getsockname()[:2]
                    print(f"listening on {bound_host}:{bound_port}", file=sys.stderr, flush=True)
                return False
            return record.levelno >= logging.WARNING

    pygls_server_log = logging.getLogger("pygls.server")
    pygls_server_log.addFilter(Announce())
    if pygls_server_log.getEffectiveLevel() > logging.INFO:
        pygls_server_log.setLevel(logging.INFO)


__all__ = ["announce_bound_address", "build_parser", "main"]
