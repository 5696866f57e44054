"""Run every corpus file on real torch and compare what happens with ``truth.toml``.

    python tests/realworld/ground_truth.py [--update] [--timeout S] [FILTER ...]

torch is imported once; each file then runs in a forked child (so a file cannot disturb the
next, and a hang is killed after ``--timeout`` seconds). A silent bug's ``check`` (and a
clean file's optional one) is appended to the file's code and run in the same namespace.
A ``static`` positive (AG014: anomaly mode only costs time) must run like a clean file.
``--update`` adds entries for files that have none (observed outcome; silent bugs get a
placeholder check that fails until it is written). Exit status 1 on any mismatch.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import TRUTH_PATH, Snippet, Truth, load_truth, snippets

DEFAULT_TIMEOUT = 20.0


@dataclass(frozen=True)
class Observed:
    status: str
    """``raised`` (the file itself raised), ``ran`` (no error; check passed or absent),
    ``check-failed``, ``timeout`` or ``crashed``."""
    error: str = ""
    message: str = ""
    seconds: float = 0.0


def _child(snippet: Snippet, check: str | None, write_fd: int) -> None:
    import warnings

    import torch

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    torch.manual_seed(0)
    warnings.simplefilter("ignore")
    entry = snippet.entry
    if snippet.is_folder:  # its modules import each other as the source project's do
        sys.dont_write_bytecode = True
        sys.path.insert(0, str(snippet.path))
    namespace: dict[str, object] = {"__name__": "__main__", "__file__": str(entry)}
    result: dict[str, str]
    try:
        code = compile(entry.read_text(encoding="utf-8"), str(entry), "exec")
        exec(code, namespace)
    except BaseException as error:
        result = {"status": "raised", "error": type(error).__name__, "message": str(error)}
    else:
        result = {"status": "ran"}
        if check:
            try:
                exec(compile(check, f"{entry}:check", "exec"), namespace)
            except BaseException as error:
                result = {
                    "status": "check-failed",
                    "error": type(error).__name__,
                    "message": str(error),
                }
    os.write(write_fd, json.dumps(result).encode())
    os.close(write_fd)


def run_one(snippet: Snippet, check: str | None, timeout: float) -> Observed:
    read_fd, write_fd = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_fd)
        code = 0
        try:
            _child(snippet, check, write_fd)
        except BaseException:
            code = 3
        os._exit(code)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = start + timeout
    timed_out = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select([read_fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(read_fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(read_fd)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    seconds = time.monotonic() - start
    if timed_out:
        return Observed("timeout", seconds=seconds)
    try:
        data = json.loads(b"".join(chunks).decode())
    except ValueError:
        return Observed("crashed", seconds=seconds)
    return Observed(data["status"], data.get("error", ""), data.get("message", ""), seconds)


def judge(truth: Truth, observed: Observed) -> str:
    """An empty string when the observation matches the truth, else why not."""
    if truth.outcome == "raises":
        if observed.status != "raised":
            return f"expected {truth.error}, got {observed.status}"
        if observed.error != truth.error:
            return f"expected {truth.error}, got {observed.error}: {observed.message[:80]}"
        if not observed.message.startswith(truth.message or ""):
            return f"message differs: {observed.message[:100]!r}"
        return ""
    if observed.status == "ran":
        return ""
    detail = f"{observed.error}: {observed.message[:100]}" if observed.error else ""
    return f"expected {truth.outcome}, got {observed.status} {detail}".rstrip()


def _toml_string(text: str) -> str:
    if "\n" in text:
        return "'''\n" + text.rstrip("\n") + "\n'''"
    return json.dumps(text)


def append_entries(entries: list[tuple[Snippet, Observed]]) -> None:
    lines: list[str] = []
    for snippet, observed in entries:
        lines.append(f'\n["{snippet.key}"]')
        if observed.status == "raised":
            lines.append('outcome = "raises"')
            lines.append(f"error = {_toml_string(observed.error)}")
            lines.append(f"message = {_toml_string(observed.message.split(':')[0][:70])}")
        elif snippet.is_clean:
            lines.append('outcome = "ok"')
        else:
            lines.append('outcome = "silent"')
            lines.append("check = \"raise AssertionError('write the check')\"")
    with TRUTH_PATH.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="add entries for new files")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    parser.add_argument("filters", nargs="*", help="only files whose key contains one of these")
    args = parser.parse_args(argv)

    import torch
    import torch.nn.functional
    import torch.optim

    torch.set_num_threads(1)
    # Building the first optimizer imports torch._dynamo (over a second): do it once here,
    # before the children are forked, rather than in every child.
    torch.optim.Adam([torch.zeros(1, requires_grad=True)])
    truths = load_truth()
    chosen = [s for s in snippets() if not args.filters or any(f in s.key for f in args.filters)]
    mismatches = 0
    new: list[tuple[Snippet, Observed]] = []
    print(f"torch {torch.__version__}")
    print(f"{'file':<52} {'truth':<7} {'observed':<13} {'s':>5}  result")
    for snippet in chosen:
        truth = truths.get(snippet.key)
        observed = run_one(snippet, truth.check if truth else None, args.timeout)
        if truth is None:
            verdict = "NO ENTRY"
            new.append((snippet, observed))
            mismatches += 1
        else:
            why = judge(truth, observed)
            verdict = "ok" if not why else f"MISMATCH: {why}"
            mismatches += bool(why)
        shown = observed.error if observed.status == "raised" else observed.status
        print(
            f"{snippet.key:<52} {truth.outcome if truth else '-':<7} {shown:<13} "
            f"{observed.seconds:5.1f}  {verdict}"
        )
    if args.update and new:
        append_entries(new)
        print(f"added {len(new)} entries to {TRUTH_PATH.name}")
    print(f"{len(chosen)} files, {mismatches} mismatched")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
