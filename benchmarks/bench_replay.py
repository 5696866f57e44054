"""How long it takes to confirm one diagnosis: mini engine versus real torch.

Measured in one run, on one witness (a saved tensor modified through a detached alias,
which both backends must report as ``RuntimeError``):

- floor: starting a bare isolated interpreter (``python -I -S -B -c pass``), the least a
  sandboxed replay in a fresh process can cost;
- in-process: validating and executing the witness with the backend already imported
  (what the sandbox's per-witness fork does);
- end to end, cold: ``confirm(witness, backend=...)`` with no warm worker: start the
  interpreter, import the backend (numpy and the engine, or torch), fork, limit, execute,
  judge. What a single ``autograd-lint verify`` pays;
- end to end, first run: cold, and the worker's modules not yet precompiled into the user
  cache (``worker_code.py``): what the very first replay after an install or an upgrade pays;
- end to end, warm: the same once a worker is running (the language server, ``verify`` of
  many findings): a fork per witness and the round trip.

torch is imported into this process only for its in-process figure, measured last.

Targets: mini in-process under 5 ms; mini end to end at least 10x faster than torch.

With ``--corpus``, it measures instead how many findings on the real-world corpus
(``tests/realworld``) each backend confirms: confirmed, not replayable, not reproduced, and
without a witness (AG014's, static by design, counted apart), and the share of the
replayable findings confirmed (target: 95%, none "not reproduced"), and the findings whose
verdict differs between the backends; ``--list`` writes the unconfirmed ones, finding by
finding, with each backend's verdict.

    python benchmarks/bench_replay.py [--repeat N] [--torch-repeat M]
    python benchmarks/bench_replay.py --corpus [--list unconfirmed.txt]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autograd_lint.diagnostics import Expectation, Witness
from autograd_lint.runtime_check import available_backends, confirm, sandbox, worker
from autograd_lint.runtime_check.validate import validate

WITNESS = Witness(
    "import torch\n"
    "import torch.nn as nn\n"
    "import torch.nn.functional as F\n"
    "w = torch.randn(3, requires_grad=True)\n"
    "out = torch.sigmoid(w)\n"
    "c = out.detach()\n"
    "c.zero_()\n"
    "out.sum().backward()\n",
    Expectation(
        "raises",
        exception="RuntimeError",
        message="one of the variables needed for gradient computation has been modified",
    ),
)
MODULE_NAMES = ("torch", "torch.nn", "torch.nn.functional", "torch.optim", "torch.autograd")


def median_ms(
    action: Callable[[], object], repeat: int, before: Callable[[], object] | None = None
) -> float:
    """Median wall time of ``action``; ``before`` runs untimed ahead of each repetition."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def in_process(modules: dict[str, Any], seed: Callable[[], None]) -> Callable[[], object]:
    run = {"id": 0, "script": WITNESS.script}

    def action() -> object:
        validate(WITNESS.script)
        result = worker.execute(run, modules, seed)
        assert result["exception"] and result["exception"]["type"] == "RuntimeError", result
        return result

    return action


def end_to_end(backend: str) -> Callable[[], object]:
    def action() -> object:
        verdict = confirm(WITNESS, backend=backend)
        assert verdict.status == "confirmed", verdict
        return verdict

    return action


def first_run_ms(backend: str, repeat: int) -> float:
    """Cold runs, each with an empty cache directory: the worker code is compiled first."""
    saved = os.environ.get("XDG_CACHE_HOME")
    with tempfile.TemporaryDirectory(prefix="bench-replay-cache-") as scratch:
        fresh = iter(range(repeat))

        def before() -> None:
            sandbox.shutdown()
            os.environ["XDG_CACHE_HOME"] = os.path.join(scratch, str(next(fresh)))

        try:
            return median_ms(end_to_end(backend), repeat, before=before)
        finally:
            if saved is None:
                os.environ.pop("XDG_CACHE_HOME", None)
            else:
                os.environ["XDG_CACHE_HOME"] = saved


def mini_modules() -> tuple[dict[str, Any], Callable[[], None]]:
    from autograd_lint.runtime_check import engine

    table: dict[str, Any] = {}
    engine.install_as_torch(table)  # a private table: this process's sys.modules is untouched
    return table, lambda: table["torch"].manual_seed(0)


def torch_modules() -> tuple[dict[str, ModuleType], Callable[[], None]]:
    import torch

    torch.set_num_threads(1)
    modules = {name: sys.modules[name] for name in MODULE_NAMES if name in sys.modules}

    def seed() -> None:
        torch.manual_seed(0)

    return modules, seed


STATIC_BY_DESIGN = frozenset({"AG014"})
"""Rules whose findings have no runtime effect to replay (a cost, not an error)."""


def _status(finding: dict[str, Any]) -> str:
    status = (finding.get("confirmation") or {}).get("status")
    if status is None:
        return "static" if finding["code"] in STATIC_BY_DESIGN else "no witness"
    return str(status)


def _place(finding: dict[str, Any], root: Path) -> str:
    path = Path(finding["filename"])
    where = path.relative_to(root) if path.is_absolute() and path.is_relative_to(root) else path
    return f"{where}:{finding['location']['row']} {finding['code']}"


def corpus(backends: list[str], listing: Path | None = None) -> int:
    """Replay every finding on the real-world corpus on each backend and count verdicts;
    with ``listing``, write there each finding that is not confirmed on every backend,
    with each backend's verdict and evidence (the per-finding list)."""
    root = Path(__file__).resolve().parents[1]
    verdicts: dict[str, dict[str, tuple[str, str]]] = {}
    for backend in backends:
        command = [sys.executable, "-m", "autograd_lint", "check", str(root / "tests/realworld")]
        command += ["--runtime-check", backend, "--format", "json", "--no-cache"]
        run = subprocess.run(command, capture_output=True, text=True, check=False, cwd=root)
        findings = json.loads(run.stdout)
        counts: collections.Counter[str] = collections.Counter()
        for finding in findings:
            status = _status(finding)
            counts[status] += 1
            evidence = (finding.get("confirmation") or {}).get("evidence") or ""
            verdicts.setdefault(_place(finding, root), {})[backend] = (status, evidence)
        replayable = len(findings) - counts["static"]
        share = counts["confirmed"] / replayable if replayable else 0.0
        print(
            f"{backend:<6} {len(findings)} findings: {counts['confirmed']} confirmed, "
            f"{counts['not_replayable']} not replayable, {counts['not_reproduced']} not "
            f"reproduced, {counts['no witness']} without a witness, {counts['static']} static "
            f"by design -> {share:.0%} of {replayable} replayable confirmed (target 95%)"
        )
    differ = [p for p, v in verdicts.items() if len({status for status, _ in v.values()}) > 1]
    print(f"findings whose verdict differs between backends: {len(differ)}")
    for place in differ:
        print(f"  {place}: " + ", ".join(f"{b} {s}" for b, (s, _) in verdicts[place].items()))
    if listing is not None:
        rows = []
        for place, by_backend in sorted(verdicts.items()):
            if all(status in ("confirmed", "static") for status, _ in by_backend.values()):
                continue
            rows.append(place)
            for backend, (status, evidence) in by_backend.items():
                rows.append(f"    {backend}: {status}" + (f": {evidence}" if evidence else ""))
        listing.write_text("\n".join(rows) + "\n", encoding="utf-8")
        print(f"unconfirmed findings listed in {listing}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per mini measurement")
    parser.add_argument("--torch-repeat", type=int, default=5, help="runs per torch measurement")
    parser.add_argument(
        "--corpus", action="store_true", help="count confirmations on the real-world corpus"
    )
    parser.add_argument(
        "--list",
        type=Path,
        metavar="FILE",
        help="with --corpus: write each unconfirmed finding, with its verdicts, to FILE",
    )
    args = parser.parse_args()
    backends = available_backends()
    if args.corpus:
        return corpus([b for b in ("mini", "torch") if b in backends], args.list)
    if "mini" not in backends:
        print("the mini engine is not available; nothing to measure")
        return 1

    floor = median_ms(
        lambda: subprocess.run([sys.executable, "-I", "-S", "-B", "-c", "pass"], check=True),
        args.repeat,
    )
    modules, seed = mini_modules()
    mini_inproc = median_ms(in_process(modules, seed), args.repeat * 10)
    mini_cold = median_ms(end_to_end("mini"), args.repeat, before=sandbox.shutdown)
    mini_first = first_run_ms("mini", args.repeat)
    end_to_end("mini")()
    mini_warm = median_ms(end_to_end("mini"), args.repeat)
    sandbox.shutdown()
    print(f"floor (bare isolated interpreter):   {floor:9.1f} ms")
    print(f"mini in-process (validate + exec):   {mini_inproc:9.2f} ms   target < 5 ms")
    print(
        f"mini end to end, cold:               {mini_cold:9.1f} ms   {mini_cold / floor:5.1f}x floor"
    )
    print(f"mini end to end, first run:          {mini_first:9.1f} ms")
    print(f"mini end to end, warm:               {mini_warm:9.1f} ms")
    if "torch" not in backends:
        print("torch is not installed: no comparison")
        return 0
    torch_cold = median_ms(end_to_end("torch"), args.torch_repeat, before=sandbox.shutdown)
    end_to_end("torch")()
    torch_warm = median_ms(end_to_end("torch"), args.torch_repeat)
    sandbox.shutdown()
    tmodules, tseed = torch_modules()
    torch_inproc = median_ms(in_process(tmodules, tseed), args.repeat * 10)
    print(
        f"torch end to end, cold:              {torch_cold:9.1f} ms   {torch_cold / floor:5.1f}x floor"
    )
    print(f"torch end to end, warm:              {torch_warm:9.1f} ms")
    print(f"torch in-process (validate + exec):  {torch_inproc:9.2f} ms")
    print(f"cold end to end, torch / mini:       {torch_cold / mini_cold:9.1f}x   target >= 10x")
    print(f"warm end to end, torch / mini:       {torch_warm / mini_warm:9.1f}x")
    print(f"in-process, mini / torch:            {mini_inproc / torch_inproc:9.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
