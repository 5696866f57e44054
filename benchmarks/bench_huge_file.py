"""One very large file through ``check``: time and peak memory, against floors of the same run.

The file is realistic training code (``corpus.py``'s pieces, about 5% pitfalls) in one
module of ``--megabytes`` MB. Each measurement runs in a fresh interpreter, times only the
work, and takes its peak RSS from the kernel (``wait4``) for that process alone:

- floor ``ast``: CPython's ``ast.parse`` of the file (what ``check`` runs first anyway);
- floor ``libcst``: ``libcst.parse_module`` of the file, with the cyclic collector off as
  ``check`` runs it: the least any libcst-based analysis of the whole file must spend;
- check: the whole pipeline through the runner (``--jobs 1``, no cache), with how many
  findings it reported and the last line it reported one on (the file's pitfalls run to its
  end, so a last line far from the end means the analysis stopped early).

Targets (issue 14): the 10 MB file checked in <= 30 s with <= 2 GB peak RSS. Printed as
seconds and MB, with each ratio to the libcst floor of the same run (a loaded machine slows
all of them alike).

    python benchmarks/bench_huge_file.py [--megabytes 10] [--repeat 1] [--keep FILE]
        [--no-floors] [--compare OTHER_CHECKOUT]

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
import json, sys, time
from autograd_lint.config import Settings
from autograd_lint.runner import CheckOptions, run_checks
start, cpu = time.perf_counter(), time.process_time()
outcomes = run_checks([sys.argv[1]], CheckOptions(Settings()), jobs=1)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
lines = [d.range.start_line for o in outcomes for d in o.result.diagnostics]
codes = sorted({d.code for o in outcomes for d in o.result.diagnostics})
print(json.dumps({
    "seconds": seconds, "cpu": cpu, "findings": len(lines), "last_line": max(lines, default=0),
    "codes": codes,
}))
"""


def huge_file(megabytes: float, seed: int = 1) -> str:
    """Training code of about ``megabytes`` MB in one module (a torch file: seed 1 is one)."""
    lines = int(megabytes * 1_000_000 / 33.5)  # corpus code averages ~33 bytes a line
    return generate_file(random.Random(seed), 0, lines, 0.05)


def measure(script: str, path: Path, root: Path = ROOT) -> dict[str, Any]:
    """Run ``script`` on ``path`` in a fresh interpreter (importing the project from
    ``root``); its JSON plus peak RSS in MB."""
    environment = dict(os.environ, PYTHONPATH=str(root))
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(path)],
        stdout=subprocess.PIPE,
        env=environment,
        cwd=root,
    )
    assert process.stdout is not None
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"measurement failed with exit {process.returncode}")
    result: dict[str, Any] = json.loads(output)
    result["rss_mb"] = usage.ru_maxrss / 1024  # kilobytes on Linux
    return result


def best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return min(runs, key=lambda run: run["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write the generated file here")
    parser.add_argument("--no-floors", action="store_true", help="measure the check only")
    parser.add_argument("--compare", type=Path, help="another checkout to check the file with")
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
            results["check"].append(measure(CHECK, path))
            if args.compare is not None:
                results["other"].append(measure(CHECK, path, args.compare.resolve()))
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
            f"{run['rss_mb']:7.0f} MB peak RSS{ratios}"
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
