"""One very large file through ``check``: time and peak memory, against floors of the same run.

The file is realistic training code (``corpus.py``'s pieces, about 5% pitfalls) in one
module of ``--megabytes`` MB. Each measurement runs in a fresh interpreter and times only
the work:

- floor ``ast``: CPython's ``ast.parse`` of the file (what ``check`` runs first anyway);
- floor ``libcst``: ``libcst.parse_module`` of the file, with the cyclic collector off as
  ``check`` runs it: the least any libcst-based analysis of the whole file must spend;
- check: the whole pipeline through the runner (``--jobs 1``, no cache: one file at a time,
  its segments in up to ``--processes`` processes, by default as the runner decides), with
  how many findings it reported and the last line it reported one on (the file's pitfalls
  run to its end, so a last line far from the end means the analysis stopped early).

Time is wall seconds and CPU seconds, the CPU of the processes a check forks included (on
a shared machine the wall time depends on what else runs; the CPU time much less). Memory
is the peak, over the run, of the resident memory of the measured process and all its
descendants together, sampled every 10 ms (pages a forked child shares with its parent
count in both: an upper bound); the kernel's own peak (``wait4``) of the largest single
process is printed beside it.

Targets (issue 14): the 10 MB file checked in <= 30 s with <= 2 GB peak memory. Printed as
seconds and MB, with each ratio to the libcst floor of the same run (a loaded machine slows
all of them alike). ``--findings FILE`` writes every finding of the check (sorted, in full:
places, messages, fixes), to compare two checkouts' findings exactly.

    python benchmarks/bench_huge_file.py [--megabytes 10] [--repeat 1] [--keep FILE]
        [--no-floors] [--compare OTHER_CHECKOUT] [--processes N] [--findings FILE]

``--compare`` also runs the check of another checkout of the project (an older commit) on
the same file, alternating with this one's, so both see the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate_file  # noqa: E402

TARGET_SECONDS = 30.0
TARGET_RSS_MB = 2048.0

FLOOR_AST = """
import ast, json, sys, time
text = open(sys.argv[1], encoding="utf-8").read()
start, cpu = time.perf_counter(), time.process_time()
ast.parse(text)
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}))
"""

FLOOR_LIBCST = """
import gc, json, sys, time
import libcst
text = open(sys.argv[1], encoding="utf-8").read()
gc.disable()
start, cpu = time.perf_counter(), time.process_time()
libcst.parse_module(text)
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}))
"""

CHECK = """
import json, resource, sys, time
from dataclasses import replace
from autograd_lint.config import Settings
from autograd_lint.runner import CheckOptions, run_checks
def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
options = CheckOptions(Settings())
if int(sys.argv[2]):
    try:
        options = replace(options, segment_processes=int(sys.argv[2]))
    except TypeError:  # an older checkout: one process
        pass
start, cpu, forked = time.perf_counter(), time.process_time(), children_cpu()
outcomes = run_checks([sys.argv[1]], options, jobs=1)
seconds = time.perf_counter() - start
cpu = time.process_time() - cpu + children_cpu() - forked
found = [d for o in outcomes for d in o.result.diagnostics]
lines = [d.range.start_line for d in found]
codes = sorted({d.code for d in found})
if sys.argv[3]:
    with open(sys.argv[3], "w", encoding="utf-8") as handle:
        handle.write("".join(line + "\\n" for line in sorted(repr(d) for d in found)))
print(json.dumps({
    "seconds": seconds, "cpu": cpu, "findings": len(lines), "last_line": max(lines, default=0),
    "codes": codes,
}))
"""


def huge_file(megabytes: float, seed: int = 1) -> str:
    """Training code of about ``megabytes`` MB in one module (a torch file: seed 1 is one)."""
    lines = int(megabytes * 1_000_000 / 33.5)  # corpus code averages ~33 bytes a line
    return generate_file(random.Random(seed), 0, lines, 0.05)


def measure(
    script: str, path: Path, root: Path = ROOT, arguments: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Run ``script`` on ``path`` in a fresh interpreter (importing the project from
    ``root``); its JSON plus the peak memory in MB of it and its descendants together
    (``rss_mb``) and of its largest single process (``rss_one_mb``, the kernel's)."""
    environment = dict(os.environ, PYTHONPATH=str(root))
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path), *arguments],
        stdout=subprocess.PIPE,
        env=environment,
        cwd=root,
    )
    assert process.stdout is not None
    sampler = TreeMemory(process.pid)
    sampler.start()
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"measurement failed with exit {process.returncode}")
    result: dict[str, Any] = json.loads(output)
    result["rss_one_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    result["rss_mb"] = max(sampler.peak_mb, result["rss_one_mb"])
    return result


class TreeMemory(threading.Thread):
    """The peak, sampled, of the resident memory of a process and its descendants."""

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20

    def run(self) -> None:
        while not self._done.is_set():
            self.peak_mb = max(self.peak_mb, self._resident_mb())
            time.sleep(self.interval)

    def stop(self) -> None:
        self._done.set()
        self.join()

    def _resident_mb(self) -> float:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    fields = handle.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)] = int(fields[1])
        tree, pending = set(), [self.pid]
        while pending:
            pid = pending.pop()
            tree.add(pid)
            pending.extend(child for child, parent in parents.items() if parent == pid)
        total = 0.0
        for pid in tree:
            try:
                with open(f"/proc/{pid}/statm", "rb") as handle:
                    total += int(handle.read().split()[1]) * self._page_mb
            except OSError:
                continue
        return total


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return min(runs, key=lambda run: run["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the generated file here")
    parser.add_argument("--no-floors", action="store_true", help="measure the check only")
    parser.add_argument("--compare", type=Path, help="another checkout to check the file with")
    parser.add_argument(
        "--processes", type=int, default=0, help="segment processes (0: as the runner decides)"
    )
    parser.add_argument("--findings", type=Path, help="write the check's findings here")
    args = parser.parse_args()
    text = huge_file(args.megabytes)
    with tempfile.TemporaryDirectory(prefix="autograd-lint-huge-") as directory:
        path = args.keep or Path(directory) / "huge.py"
        path.write_text(text, encoding="utf-8")
        size_mb = path.stat().st_size / 1_000_000
        total_lines = text.count("\n")
        results: dict[str, list[dict[str, Any]]] = {
            "ast": [],
            "libcst": [],
            "check": [],
            "other": [],
        }
        for _ in range(args.repeat):
            if not args.no_floors:
                results["ast"].append(measure(FLOOR_AST, path))
                results["libcst"].append(measure(FLOOR_LIBCST, path))
            findings = str(args.findings.resolve()) if args.findings else ""
            check_arguments = (str(args.processes), findings)
            results["check"].append(measure(CHECK, path, arguments=check_arguments))
            if args.compare is not None:
                other = (str(args.processes), findings + ".compared" if findings else "")
                results["other"].append(measure(CHECK, path, args.compare.resolve(), other))
    check = best(results["check"])
    runs = [("check", check)]
    if not args.no_floors:
        runs = [
            ("floor ast.parse", best(results["ast"])),
            ("floor libcst", best(results["libcst"])),
        ]
        runs.append(("check", check))
    if args.compare is not None:
        runs.append(("check (compared)", best(results["other"])))
    floor = best(results["libcst"]) if not args.no_floors else None
    print(f"file: {size_mb:.1f} MB, {total_lines} lines (best of {args.repeat})")
    for name, run in runs:
        ratios = (
            f"   x{run['seconds'] / floor['seconds']:.2f} time, "
            f"x{run['rss_mb'] / floor['rss_mb']:.2f} memory of the libcst floor"
            if floor is not None
            else ""
        )
        print(
            f"  {name:16s} {run['seconds']:7.1f} s wall {run['cpu']:7.1f} s cpu "
            f"{run['rss_mb']:7.0f} MB peak RSS ({run['rss_one_mb']:.0f} MB one process){ratios}"
        )
    for name, run in runs:
        if name.startswith("check"):
            print(
                f"  {name}: {run['findings']} findings ({', '.join(run['codes'])}), the last "
                f"on line {run['last_line']} of {total_lines}"
            )
    seconds_ok = check["seconds"] <= TARGET_SECONDS
    memory_ok = check["rss_mb"] <= TARGET_RSS_MB
    print(
        f"targets: <= {TARGET_SECONDS:.0f} s {'met' if seconds_ok else 'MISSED'}, "
        f"<= {TARGET_RSS_MB:.0f} MB {'met' if memory_ok else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
