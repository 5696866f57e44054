"""Run validated witness scripts in a separate, limited Python process and collect facts.

The parent side of the sandbox. It starts ``_worker.py`` with ``python -I -S -B`` (no
environment variables honoured, no site hooks, no bytecode written) in an empty temporary
directory, with a minimal environment and in a new session so that the whole process
group can be killed. The worker forks one limited process per witness (see
``_worker.py``); this side enforces an overall wall-clock bound on top, so that nothing
the child does can make the caller wait forever.

This module reports facts (what was raised, warned, observed, or why the run was
killed); :mod:`autograd_lint.runtime_check.replay` judges them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKER = Path(__file__).with_name("_worker.py")
STARTUP_ALLOWANCE_S = {"mini": 60.0, "torch": 180.0}
"""Time to start the interpreter and import the backend, on top of the witnesses' own
limits; generous because a loaded machine can take seconds to import torch."""
PER_RUN_SLACK_S = 2.0
MAX_STDERR = 4_000

_PASSED_ENVIRONMENT = ("CUDA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "SYSTEMROOT")


@dataclass(frozen=True)
class Run:
    """One script to execute (and optionally an expression to observe after it)."""

    id: int
    script: str
    observe: str | None = None
    timeout_s: float = 10.0
    memory_mb: int = 1024


@dataclass
class BatchOutcome:
    """What the sandbox saw: per-run facts by id, or why the backend never ran."""

    backend: str
    device: str
    fatal: str | None = None
    results: dict[int, dict[str, Any]] = field(default_factory=dict)
    version: str = ""
    ready: bool = False
    """The worker imported its backend and started on the runs."""
    real_torch: bool = False
    """The real torch was loaded in the worker (never so for the mini backend)."""


def child_environment(home: str) -> dict[str, str]:
    """A minimal environment: no PYTHON* variables, one thread per numeric library."""
    env = {
        "PATH": os.defpath,
        "HOME": home,
        "TMPDIR": home,
        "LANG": "C.UTF-8",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MALLOC_ARENA_MAX": "2",
    }
    env.update({name: os.environ[name] for name in _PASSED_ENVIRONMENT if name in os.environ})
    return env


def child_sys_path() -> list[str]:
    """Where the child finds this package and the backend (``-S`` skips site-packages
    discovery); the current directory is left out so nothing local shadows a module."""
    package_root = str(Path(__file__).resolve().parents[2])
    cwd = os.getcwd()
    paths = [package_root]
    for entry in sys.path:
        if not entry or not os.path.isabs(entry) or entry == cwd or entry in paths:
            continue
        if os.path.exists(entry):
            paths.append(entry)
    return paths


def _request(runs: Sequence[Run], backend: str, device: str, fork: bool) -> bytes:
    return json.dumps(
        {
            "backend": backend,
            "device": device,
            "fork": fork,
            "sys_path": child_sys_path(),
            "runs": [
                {
                    "id": run.id,
                    "script": run.script,
                    "observe": run.observe,
                    "timeout_s": run.timeout_s,
                    "memory_mb": run.memory_mb,
                }
                for run in runs
            ],
        }
    ).encode()


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (OSError, AttributeError):
        process.kill()


_SIGNAL_MEANING = {
    int(number): meaning
    for name, meaning in (
        ("SIGKILL", "killed"),
        ("SIGXCPU", "CPU time limit exceeded"),
        ("SIGALRM", "timed out"),
    )
    if (number := getattr(signal, name, None)) is not None
}


def _describe_exit(returncode: int | None, stderr: bytes) -> str:
    if returncode is not None and returncode < 0:
        meaning = _SIGNAL_MEANING.get(-returncode, f"signal {-returncode}")
        return f"sandbox process ended: {meaning}"
    tail = stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
    return f"sandbox process exited with status {returncode} {tail[0]}".strip()


def _one_worker(
    runs: Sequence[Run], backend: str, device: str, fork: bool
) -> tuple[BatchOutcome, str | None]:
    """Start one worker for ``runs``; return what it reported and, if it ended early, why."""
    budget = STARTUP_ALLOWANCE_S.get(backend, 60.0) + sum(
        r.timeout_s + PER_RUN_SLACK_S for r in runs
    )
    with tempfile.TemporaryDirectory(prefix="autograd-lint-replay-") as scratch:
        process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-B", str(WORKER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=scratch,
            env=child_environment(scratch),
            start_new_session=True,
            close_fds=True,
        )
        try:
            out, err = process.communicate(_request(runs, backend, device, fork), timeout=budget)
            ended: str | None = None
        except subprocess.TimeoutExpired:
            _kill_group(process)
            out, err = process.communicate()
            ended = f"sandbox timed out after {budget:.0f} s"
        else:
            _kill_group(process)  # a stray grandchild must not outlive its worker
    outcome = BatchOutcome(backend=backend, device=device)
    for line in out.decode("utf-8", "replace").splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if "fatal" in message:
            outcome.fatal = str(message["fatal"])
            outcome.device = str(message.get("device", device))
        elif "ready" in message:
            outcome.ready = True
            outcome.device = str(message.get("device", device))
            outcome.version = str(message.get("version", ""))
            outcome.real_torch = bool(message.get("real_torch"))
        elif "id" in message:
            outcome.results[int(message["id"])] = message
    if ended is None and process.returncode != 0:
        ended = _describe_exit(process.returncode, err[-MAX_STDERR:])
    if ended is None and not outcome.ready and outcome.fatal is None:
        ended = _describe_exit(process.returncode, err[-MAX_STDERR:])
    return outcome, ended


def run_batch(runs: Sequence[Run], backend: str, device: str, fork: bool = True) -> BatchOutcome:
    """Execute every run on ``backend``/``device``; each gets a result, a fatal, or a reason.

    A worker may stop early on purpose (on CUDA it runs one witness per process) or by
    accident (killed). If it never got its backend ready, every run fails with the reason;
    otherwise the run it was on is charged with the failure and the rest go to a fresh
    worker, so one witness that brings its process down cannot sink the others.

    ``fork=False`` gives every run a worker process of its own, as on CUDA (slower: the
    backend is imported once per run).
    """
    total = BatchOutcome(backend=backend, device=device)
    pending = list(runs)
    while pending:
        outcome, ended = _one_worker(pending, backend, device, fork)
        total.device, total.version = outcome.device, outcome.version or total.version
        total.ready = total.ready or outcome.ready
        total.real_torch = total.real_torch or outcome.real_torch
        total.results.update(outcome.results)
        if outcome.fatal is not None:
            total.fatal = outcome.fatal
            return total
        remaining = [run for run in pending if run.id not in outcome.results]
        if len(remaining) == len(pending):  # no progress
            reason = ended or "sandbox process returned no result"
            charged = remaining if not outcome.ready else remaining[:1]
            for run in charged:
                total.results[run.id] = {"id": run.id, "killed": "worker", "reason": reason}
            remaining = remaining[len(charged) :]
        pending = remaining
    return total
