"""Throughput of ``autograd-lint check`` on a generated corpus, against libcst's parse.

Measured in one run, on one corpus (``corpus.py``: >= 100k lines of realistic training code,
about 30% of files without any autograd vocabulary, a few pitfalls):

- floor: ``libcst.parse_module`` of every file, one process — the least any libcst-based
  linter must spend — and of only the files that ``check`` does parse (the others are
  skipped by the vocabulary pre-check), which is the fair floor for the analysis itself;
- check, one process: the whole ``check`` pipeline through the runner (read, decode,
  pre-check, parse, analyse, rules, suppressions), ``--jobs 1``;
- check, ``--jobs 2``: the same with two worker processes.

Each measurement runs in a fresh interpreter (so no cache or warm import is shared) and
times only the work, not interpreter start-up. Reported: absolute seconds, lines per second,
check/parse (how far above the floor the tool is) and the ``--jobs 2`` speed-up.

    python benchmarks/bench_check.py [--lines 100000] [--seed 0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import generate_corpus  # noqa: E402

PARSE = """
import json, sys, time
import libcst
files = json.loads(sys.stdin.read())
texts = [open(f, encoding="utf-8").read() for f in files]
start = time.perf_counter()
for text in texts:
    libcst.parse_module(text)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""

CHECK = """
import json, sys, time
from autograd_lint.config import Settings
from autograd_lint.runner import CheckOptions, run_checks
files = json.loads(sys.stdin.read())
jobs = int(sys.argv[1])
start = time.perf_counter()
outcomes = run_checks(files, CheckOptions(Settings()), jobs=jobs)
seconds = time.perf_counter() - start
findings = sorted(
    (o.result.path, d.range.start_line, d.code) for o in outcomes for d in o.result.diagnostics
)
skipped = [o.result.path for o in outcomes if o.result.skipped]
errors = [o.error for o in outcomes if o.error]
print(json.dumps({"seconds": seconds, "findings": findings, "skipped": skipped, "errors": errors}))
"""


def measure(script: str, files: list[str], *args: str) -> dict[str, object]:
    completed = subprocess.run(
        [sys.executable, "-c", script, *args],
        input=json.dumps(files),
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="autograd-lint-bench-") as temporary:
        directory = args.keep or Path(temporary)
        paths = generate_corpus(directory, args.lines, seed=args.seed)
        files = [str(p) for p in paths]
        lines = sum(p.read_text(encoding="utf-8").count("\n") for p in paths)
        size = sum(p.stat().st_size for p in paths)
        print(f"corpus: {len(files)} files, {lines} lines, {size / 1e6:.1f} MB (seed {args.seed})")

        serial = measure(CHECK, files, "1")
        parallel = measure(CHECK, files, "2")
        skipped = set(serial["skipped"])  # type: ignore[call-overload]
        parsed = [f for f in files if f not in skipped]
        floor = float(measure(PARSE, files)["seconds"])  # type: ignore[arg-type]
        floor_parsed = float(measure(PARSE, parsed)["seconds"])  # type: ignore[arg-type]

    t1 = float(serial["seconds"])  # type: ignore[arg-type]
    t2 = float(parallel["seconds"])  # type: ignore[arg-type]
    findings = serial["findings"]
    assert findings == parallel["findings"], "--jobs 2 found something else than --jobs 1"
    assert not serial["errors"], serial["errors"]
    print(f"files skipped by the pre-check (no autograd vocabulary): {len(skipped)}")
    print(f"findings: {len(findings)}")  # type: ignore[arg-type]
    print()
    print(f"{'measurement':<34}{'seconds':>9}{'lines/s':>11}")
    for name, seconds in (
        ("floor: libcst parse, all files", floor),
        ("floor: parse, files check parses", floor_parsed),
        ("check --jobs 1", t1),
        ("check --jobs 2", t2),
    ):
        print(f"{name:<34}{seconds:>9.2f}{lines / seconds:>11.0f}")
    print()
    print(f"check --jobs 1 / parse all files:           {t1 / floor:.2f}x")
    print(f"check --jobs 1 / parse of the files it parses: {t1 / floor_parsed:.2f}x")
    print(f"check --jobs 2 / parse all files:           {t2 / floor:.2f}x")
    print(f"--jobs 2 speed-up over --jobs 1:            {t1 / t2:.2f}x")


if __name__ == "__main__":
    main()
