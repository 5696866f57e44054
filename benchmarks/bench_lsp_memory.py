"""Server memory: after thousands of edits, and after a 5 MB document is closed again.

Spawns the real language server over stdio and measures the resident memory (RSS) of the
server process and of the server with its lint workers:

1. *floor*: after the first lint of a small document (the server and a worker warmed up);
2. after ``--edits`` edits of a ``--lines``-line document, each waited for (so each is linted
   and its result cached: the case a size-capped cache must keep bounded);
3. while a ``--huge-mb`` document is open and after its lint;
4. after that document is closed, and after every document is closed.

Ratios are printed against the floor of this run, on this machine. Targets (issue 14): after
the edits and after the huge document is closed, within 1.5x of the floor.

    python benchmarks/bench_lsp_memory.py [--edits 2000] [--lines 1000] [--huge-mb 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

from lsprotocol import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_lsp_latency import (  # a sibling script, found through sys.path
    EDITED_LINE,
    SERVER,
    Client,
    generate,
    make_client,
    rss_kib,
    server_pids,
)

TARGET = 1.5
SETTLE_S = 3.0
"""Time given after a close for the server to hand memory back (workers retire on idle)."""


def huge_text(megabytes: float) -> str:
    """Training-style functions repeated to ``megabytes`` (one AG001 at the end)."""
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
    while size < megabytes * 1024 * 1024:
        part = block.format(i=i)
        parts.append(part)
        size += len(part)
        i += 1
    parts.append(
        "\n\nw = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\n"
        "w.data.mul_(10)\ny.backward()\n"
    )
    return "".join(parts)


class Meter:
    """RSS readings of the server alone and of the server with its workers."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.rows: list[tuple[str, int, int]] = []

    def read(self, label: str) -> tuple[int, int]:
        alone, together = rss_kib([self.pid]), rss_kib(server_pids(self.pid))
        self.rows.append((label, alone, together))
        return alone, together


async def _open(client: Client, uri: str, text: str, timeout: float) -> bool:
    waiter = asyncio.get_running_loop().create_future()
    client.waiters[(uri, 1)] = waiter
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
    )
    try:
        await asyncio.wait_for(waiter, timeout)
    except TimeoutError:
        return False
    return True


def _close(client: Client, uri: str) -> None:
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )


async def _edits(client: Client, uri: str, text: str, count: int, timeout: float) -> None:
    line = text.splitlines().index(EDITED_LINE.format(0))
    loop = asyncio.get_running_loop()
    for run in range(count):
        version = run + 2
        waiter = loop.create_future()
        client.waiters[(uri, version)] = waiter
        edit = types.TextDocumentContentChangePartial(
            range=types.Range(
                types.Position(line, 0), types.Position(line, len(EDITED_LINE.format(run)))
            ),
            text=EDITED_LINE.format(run + 1),
        )
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=version, uri=uri), [edit]
            )
        )
        await asyncio.wait_for(waiter, timeout)


async def main_async(args: argparse.Namespace) -> int:
    client = make_client()
    await client.start_io(*SERVER)
    server = client._server
    assert server is not None
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            initialization_options={
                "autograd-lint": {"debounceMs": args.debounce, "runtimeCheck": "off"}
            },
        )
    )
    client.initialized(types.InitializedParams())
    meter = Meter(server.pid)
    base = "file:///tmp/autograd_lint_bench"
    huge_done = False
    started = time.perf_counter()
    try:
        small = f"{base}/memory_small.py"
        await _open(client, small, generate(300), args.timeout)
        meter.read("floor: first lint of a small document")
        edited = f"{base}/memory_edited.py"
        text = generate(args.lines)
        await _open(client, edited, text, args.timeout)
        await _edits(client, edited, text, args.edits, args.timeout)
        meter.read(f"after {args.edits} edits of {args.lines} lines")
        huge = f"{base}/memory_huge.py"
        huge_done = await _open(client, huge, huge_text(args.huge_mb), args.huge_timeout)
        meter.read(f"{args.huge_mb:g} MB document open, " + ("linted" if huge_done else "lint cut"))
        _close(client, huge)
        await asyncio.sleep(SETTLE_S)
        meter.read(f"{args.huge_mb:g} MB document closed")
        _close(client, edited)
        _close(client, small)
        await asyncio.sleep(SETTLE_S)
        meter.read("every document closed")
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    floor_alone, floor_all = meter.rows[0][1], meter.rows[0][2]
    print(
        f"server RSS (KiB), ratios to the floor of this run; {time.perf_counter() - started:.0f} s"
    )
    print(f"{'':<44} {'server':>9} {'ratio':>6} {'+workers':>9} {'ratio':>6}")
    for label, alone, together in meter.rows:
        print(
            f"{label:<44} {alone:>9} {alone / floor_alone:>6.2f} {together:>9} "
            f"{together / floor_all:>6.2f}"
        )
    judged = [meter.rows[1], meter.rows[3], meter.rows[4]]
    ok = all(a / floor_alone <= TARGET and t / floor_all <= TARGET for _, a, t in judged)
    print(
        f"target: after the edits and after closing, within {TARGET}x of the floor: "
        f"{'yes' if ok else 'NO'}" + ("" if huge_done else " (the huge lint did not finish)")
    )
    return 0 if ok or not args.check else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=2000)
    parser.add_argument("--lines", type=int, default=1000, help="size of the edited document")
    parser.add_argument("--huge-mb", type=float, default=5.0)
    parser.add_argument("--debounce", type=int, default=10, help="server debounce in ms")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument(
        "--huge-timeout", type=float, default=600.0, help="wait this long for the huge lint"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
