"""Editor latency: from a keystroke (didChange) to the diagnostics for that version.

Spawns the real language server over stdio, opens a generated training script of 300, 3,000
and 10,000 lines, then edits one line inside a function in the middle of the file per run
(each edit makes a text the server has not seen, so its result cache cannot answer) and
times until ``publishDiagnostics`` arrives for that document version, debounce included.
Printed beside a full in-process ``lint_source`` of the same text (no chunk cache), measured
in this run on this machine, libcst's bare ``parse_module`` of it, and the in-process lint
through a warm chunk cache (what the server's worker does, without the debounce and the
messages): the ratio column is p95 latency over the full lint.

Targets, at 3,000 and 10,000 lines: ratio <= 0.15, and p95 <= 150 ms and <= 300 ms.

With ``--memory-edits N`` it also makes N more edits of one document (each waited for) and
prints the resident memory of the server and its workers after the first lint and after
the N edits (target: within 1.5x).

    python benchmarks/bench_lsp_latency.py [--runs 20] [--sizes 300,3000,10000] [--debounce 75]
        [--memory-edits 2000 --memory-lines 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass

import libcst
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from autograd_lint.analysis.chunks import ChunkCache
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

SERVER = [sys.executable, "-m", "autograd_lint.server"]
RATIO_TARGET = 0.15
LATENCY_TARGET_MS = {3000: 150.0, 10000: 300.0}
MEMORY_TARGET = 1.5

EDITED_LINE = "    scale = {}"
EDITED_FUNCTION = """

def edited_here(x):
    \"\"\"The function the benchmark edits, one line per run.\"\"\"
    y = torch.sigmoid(x)
{}
    return y * scale

"""
HEADER = """\
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
"""

BLOCKS = [
    '''

class Block{i}(nn.Module):
    """A residual MLP block."""

    def __init__(self, width: int = 64) -> None:
        super().__init__()
        self.fc1 = nn.Linear(width, width * 2)
        self.fc2 = nn.Linear(width * 2, width)
        self.scale = nn.Parameter(torch.ones(width))

    def forward(self, x):
        h = torch.relu(self.fc1(x))
        h = self.fc2(h) * self.scale
        return x + torch.tanh(h)
''',
    """

def train_epoch_{i}(model, batches, opt, clip=1.0):
    total = 0.0
    for x, target in batches:
        out = model(x)
        loss = F.mse_loss(out, target)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        opt.step()
        total += loss.item()
    return total / max(len(batches), 1)
""",
    """

def evaluate_{i}(model, batches):
    model.eval()
    errors = []
    with torch.no_grad():
        for x, target in batches:
            pred = model(x)
            errors.append((pred - target).abs().mean().item())
    model.train()
    return sum(errors) / max(len(errors), 1)
""",
    """

def schedule_{i}(step, warmup=100, base=3e-4):
    if step < warmup:
        return base * step / warmup
    progress = (step - warmup) / 10_000
    return base * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))
""",
    """

def snapshot_{i}(model):
    w = torch.randn(8, requires_grad=True)
    y = (w * w).sum()
    w.data.mul_(0.5)
    y.backward()
    kept = [p.detach().clone() for p in model.parameters()]
    return kept, w.grad
""",
]


def generate(lines: int) -> str:
    """A plausible training module of about ``lines`` lines, ending in the line the runs edit.

    Uses the shared benchmark corpus when it is importable (same code as the throughput
    benchmark), else the small generator below.
    """
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from corpus import generate_file

        seeds = (random.Random(seed) for seed in range(lines, lines + 100))
        # The corpus also makes utility files that never mention autograd (and are skipped
        # unparsed); the editor latency that matters is that of a training module.
        body = next(b for b in (generate_file(r, 0, lines, 0.02) for r in seeds) if "torch" in b)
    except ImportError:
        body = _fallback(lines)
    return _insert_middle(body, EDITED_FUNCTION.format(EDITED_LINE.format(0)))


def _insert_middle(body: str, function: str) -> str:
    """``function`` inserted between two top-level statements near the middle of ``body``."""
    lines = body.splitlines(keepends=True)
    for index in range(len(lines) // 2, len(lines)):
        if lines[index].startswith(("def ", "class ")):
            return "".join(lines[:index]) + function.lstrip("\n") + "\n\n" + "".join(lines[index:])
    return body.rstrip("\n") + "\n" + function


def _fallback(lines: int) -> str:
    parts = [HEADER]
    count = HEADER.count("\n")
    i = 0
    while count < lines:
        block = BLOCKS[i % len(BLOCKS)].format(i=i)
        parts.append(block)
        count += block.count("\n")
        i += 1
    return "".join(parts)


@dataclass
class Row:
    lines: int
    parse_ms: float
    lint_ms: float
    incremental_ms: float
    p50_ms: float
    p95_ms: float
    max_ms: float
    diagnostics: int


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("bench-lsp-latency", "1")
        self.waiters: dict[tuple[str, int], asyncio.Future[types.PublishDiagnosticsParams]] = {}


def make_client() -> Client:
    client = Client()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: types.PublishDiagnosticsParams) -> None:
        waiter = client.waiters.pop((params.uri, params.version or -1), None)
        if waiter is not None and not waiter.done():
            waiter.set_result(params)

    return client


async def _drain_stderr(client: LanguageClient, path: str | None) -> None:
    """Read the server's stderr so a chatty server never blocks on a full pipe."""
    server = client._server
    if server is None or server.stderr is None:
        return
    with open(path or os.devnull, "wb") as sink:
        while chunk := await server.stderr.read(65536):
            sink.write(chunk)
            sink.flush()


def lint_ms(text: str, chunks: ChunkCache | None = None) -> float:
    started = time.perf_counter()
    lint_source(text, "bench.py", Settings(runtime_check="off"), chunks=chunks)
    return (time.perf_counter() - started) * 1000


def parse_floor_ms(text: str, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        libcst.parse_module(text)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


async def measure(client: Client, lines: int, runs: int, timeout: float) -> Row:
    uri = f"file:///tmp/autograd_lint_bench/bench_{lines}.py"
    text = generate(lines)
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()
    client.waiters[(uri, 1)] = waiter
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
    )
    first = await asyncio.wait_for(waiter, timeout)
    edited_line = text.splitlines().index(EDITED_LINE.format(0))
    latencies: list[float] = []
    parses: list[float] = []
    lints: list[float] = []
    incremental: list[float] = []
    chunks = ChunkCache()  # the in-process twin of the worker's cache, warmed on the same text
    lint_source(text, "bench.py", Settings(runtime_check="off"), chunks=chunks)
    for run in range(runs):
        version = run + 2
        waiter = loop.create_future()
        client.waiters[(uri, version)] = waiter
        edit = types.TextDocumentContentChangePartial(
            range=types.Range(
                types.Position(edited_line, 0),
                types.Position(edited_line, len(EDITED_LINE.format(run))),
            ),
            text=EDITED_LINE.format(run + 1),
        )
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=version, uri=uri), [edit]
            )
        )
        await asyncio.wait_for(waiter, timeout)
        latencies.append((time.perf_counter() - started) * 1000)
        # Floors measured right after a run, on the same text, so that both see the same
        # machine load: bare parse, and the whole in-process lint (parse + analysis + rules).
        if run % max(1, runs // 5) == 0:
            edited = text.replace(EDITED_LINE.format(0), EDITED_LINE.format(run + 1))
            parses.append(parse_floor_ms(edited, 1))
            lints.append(lint_ms(edited))
            incremental.append(lint_ms(edited, chunks))
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))]
    return Row(
        lines,
        statistics.median(parses),
        statistics.median(lints),
        statistics.median(incremental),
        statistics.median(latencies),
        p95,
        latencies[-1],
        len(first.diagnostics),
    )


def rss_kib(pids: list[int]) -> int:
    """Resident memory of these processes together (Linux ``/proc``), in KiB."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def server_pids(root: int) -> list[int]:
    """The server and every process below it (its lint workers)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


async def memory(client: Client, lines: int, edits: int, timeout: float) -> tuple[int, int]:
    """RSS after the first lint of a document, and after ``edits`` more edits of it."""
    server = client._server
    assert server is not None
    uri = f"file:///tmp/autograd_lint_bench/memory_{lines}.py"
    text = generate(lines)
    loop = asyncio.get_running_loop()
    waiter = loop.create_future()
    client.waiters[(uri, 1)] = waiter
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, text))
    )
    await asyncio.wait_for(waiter, timeout)
    first = rss_kib(server_pids(server.pid))
    edited_line = text.splitlines().index(EDITED_LINE.format(0))
    for run in range(edits):
        version = run + 2
        waiter = loop.create_future()
        client.waiters[(uri, version)] = waiter
        edit = types.TextDocumentContentChangePartial(
            range=types.Range(
                types.Position(edited_line, 0),
                types.Position(edited_line, len(EDITED_LINE.format(run))),
            ),
            text=EDITED_LINE.format(run + 1),
        )
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                types.VersionedTextDocumentIdentifier(version=version, uri=uri), [edit]
            )
        )
        await asyncio.wait_for(waiter, timeout)
    return first, rss_kib(server_pids(server.pid))


async def main_async(args: argparse.Namespace) -> int:
    client = make_client()
    await client.start_io(*SERVER, "--log-level", args.log_level)
    drain = asyncio.create_task(_drain_stderr(client, args.server_log))
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            initialization_options={
                "autograd-lint": {"debounceMs": args.debounce, "runtimeCheck": "off"}
            },
        )
    )
    client.initialized(types.InitializedParams())
    rows = []
    memory_kib: tuple[int, int] | None = None
    try:
        for lines in args.sizes:
            rows.append(await measure(client, lines, args.runs, args.timeout))
        if args.memory_edits:
            memory_kib = await memory(client, args.memory_lines, args.memory_edits, args.timeout)
    finally:
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
        drain.cancel()
    print(f"didChange -> publishDiagnostics, {args.runs} runs each, debounce {args.debounce} ms")
    print(
        f"{'lines':>7} {'diags':>5} {'parse ms':>9} {'full lint ms':>12} {'incr lint ms':>12} "
        f"{'p50 ms':>8} "
        f"{'p95 ms':>8} {'max ms':>8} {'p95/full lint':>13} {'target ms':>9}  ok"
    )
    ok = True
    for row in rows:
        target = LATENCY_TARGET_MS.get(row.lines)
        ratio = row.p95_ms / row.lint_ms
        # below 3,000 lines the debounce alone is most of a full lint: no ratio target there
        good = target is None or (ratio <= RATIO_TARGET and row.p95_ms <= target)
        ok &= good
        print(
            f"{row.lines:>7} {row.diagnostics:>5} {row.parse_ms:>9.1f} {row.lint_ms:>12.1f} "
            f"{row.incremental_ms:>12.1f} "
            f"{row.p50_ms:>8.1f} {row.p95_ms:>8.1f} {row.max_ms:>8.1f} {ratio:>13.3f} "
            f"{'-' if target is None else target:>9}  {'yes' if good else 'NO'}"
        )
    if memory_kib is not None:
        first, last = memory_kib
        grown = last / first
        ok &= grown <= MEMORY_TARGET
        print(
            f"memory (server + workers), {args.memory_lines} lines: {first / 1024:.1f} MiB after "
            f"the first lint, {last / 1024:.1f} MiB after {args.memory_edits} edits "
            f"({grown:.2f}x, target <= {MEMORY_TARGET}x)"
        )
    return 0 if ok or not args.check else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument(
        "--sizes", type=lambda s: [int(x) for x in s.split(",")], default=[300, 3000, 10000]
    )
    parser.add_argument("--debounce", type=int, default=75, help="server debounce in ms")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--log-level", default="WARNING", help="server log level")
    parser.add_argument("--server-log", help="write the server's stderr to this file")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--memory-edits", type=int, default=0, help="edits for the memory check")
    parser.add_argument("--memory-lines", type=int, default=3000)
    return asyncio.run(main_async(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
