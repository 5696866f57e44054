"""Run validated witness scripts in a separate, limited Python process and collect facts.

The parent side of the sandbox. It starts ``_worker.py`` with ``python -I -S -B`` (no
environment variables honoured, no site hooks, no bytecode written), handing it the worker's
modules precompiled (:mod:`~autograd_lint.runtime_check.worker_code`), in an empty temporary
directory, with a minimal environment and in a new session so that the whole process
group can be killed. The worker forks one limited process per witness (see
``worker.py``); this side enforces an overall wall-clock bound on top, so that nothing
the child does can make the caller wait forever.

Importing numpy (or torch) dominates the cost of a replay, so a worker is kept warm per
backend and device and reused by later batches in the same process (the language
server, ``verify`` over many files). That costs no isolation: the worker never runs a
witness itself, each one runs in a fresh fork of it. A worker that ends or misbehaves is
dropped and the next batch starts a new one.

This module reports facts (what was raised, warned, observed, or why the run was
killed); :mod:`autograd_lint.runtime_check.replay` judges them.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograd_lint.runtime_check.worker_code import PACKAGE_ROOT, prepared_bundle

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
    precompiled: list[str] = field(default_factory=list)
    """Modules the worker loaded from precompiled code rather than compiling their source."""


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
    cwd = os.getcwd()
    paths = [str(PACKAGE_ROOT)]
    for entry in sys.path:
        if not entry or not os.path.isabs(entry) or entry == cwd or entry in paths:
            continue
        if os.path.exists(entry):
            paths.append(entry)
    return paths


def _request(runs: Sequence[Run], backend: str, device: str, fork: bool) -> bytes:
    message = {
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
    return json.dumps(message).encode() + b"\n"


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


class Worker:
    """One sandbox worker process and the conversation with it (one batch at a time)."""

    def __init__(self, backend: str, device: str, fork: bool) -> None:
        self.backend, self.device, self.fork = backend, device, fork
        self.scratch = tempfile.mkdtemp(prefix="autograd-lint-replay-")
        # A file, not a pipe: nobody reads a warm worker's stderr until it ends.
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        bundle = prepared_bundle()
        command = [sys.executable, "-I", "-S", "-B", str(WORKER), str(PACKAGE_ROOT)]
        self.process = subprocess.Popen(
            command + ([str(bundle)] if bundle is not None else []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=self.scratch,
            env=child_environment(self.scratch),
            start_new_session=True,
            close_fds=True,
        )
        self.owner = os.getpid()
        self.started = False
        self.ready: dict[str, Any] | None = None
        self.buffer = b""

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def submit(self, runs: Sequence[Run]) -> tuple[BatchOutcome, str | None]:
        """Send one batch; return what the worker reported and, if it ended early, why."""
        budget = sum(run.timeout_s + PER_RUN_SLACK_S for run in runs)
        if not self.started:
            budget += STARTUP_ALLOWANCE_S.get(self.backend, 60.0)
        self.started = True
        outcome = BatchOutcome(backend=self.backend, device=self.device)
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(_request(runs, self.backend, self.device, self.fork))
            self.process.stdin.flush()
        except (OSError, ValueError):
            pass  # it ended (broken pipe, closed file): reading below finds out how
        ended = self._read(outcome, time.monotonic() + budget, budget)
        if self.ready is not None:
            outcome.ready = True
            outcome.device = str(self.ready.get("device", self.device))
            outcome.version = str(self.ready.get("version", ""))
            outcome.real_torch = bool(self.ready.get("real_torch"))
            outcome.precompiled = [str(name) for name in self.ready.get("precompiled", [])]
        return outcome, ended

    def _read(self, outcome: BatchOutcome, deadline: float, budget: float) -> str | None:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                if self._take(line, outcome):
                    return None
            left = deadline - time.monotonic()
            if left <= 0:
                self.close()
                return f"sandbox timed out after {budget:.0f} s"
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                if self.buffer:
                    self._take(self.buffer, outcome)
                    self.buffer = b""
                return self._ended()
            self.buffer += chunk

    def _take(self, line: bytes, outcome: BatchOutcome) -> bool:
        """Record one message; ``True`` when the batch is over."""
        try:
            message = json.loads(line)
        except ValueError:
            return False
        if "fatal" in message:
            outcome.fatal = str(message["fatal"])
            outcome.device = str(message.get("device", self.device))
            return True
        if "ready" in message:
            self.ready = message
        elif "done" in message:
            return True
        elif "id" in message:
            outcome.results[int(message["id"])] = message
        return False

    def _ended(self) -> str:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.stderr.seek(0, os.SEEK_END)
        size = self.stderr.tell()
        self.stderr.seek(max(0, size - MAX_STDERR))
        reason = _describe_exit(self.process.returncode, self.stderr.read())
        self.close()
        return reason

    def close(self) -> None:
        """End the worker and anything it started; remove its directory."""
        if self.owner != os.getpid():  # inherited through a fork: not ours to end
            return
        with contextlib.suppress(OSError):
            if self.process.stdin is not None:
                self.process.stdin.close()
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (OSError, AttributeError):
            with contextlib.suppress(OSError):
                self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self.stderr.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


Key = tuple[str, str]
_POOL: dict[Key, Worker] = {}
"""Warm workers by (backend, device); each used under its key's lock, one batch at a time."""
_KEY_LOCKS: dict[Key, threading.Lock] = {}
_POOL_LOCK = threading.Lock()
SHUTDOWN_WAIT_S = 2.0


def _forget_pool_in_child() -> None:
    """A forked copy of this process must not talk to its parent's workers."""
    global _POOL_LOCK
    _POOL.clear()
    _KEY_LOCKS.clear()
    _POOL_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool_in_child)


def _key_lock(key: Key) -> threading.Lock:
    with _POOL_LOCK:
        return _KEY_LOCKS.setdefault(key, threading.Lock())


def shutdown() -> None:
    """End the warm workers (also done at exit)."""
    with _POOL_LOCK:
        keys = list(_POOL)
    for key in keys:
        lock = _key_lock(key)
        acquired = lock.acquire(timeout=SHUTDOWN_WAIT_S)  # a batch in flight: end it anyway
        try:
            worker = _POOL.pop(key, None)
            if worker is not None:
                worker.close()
        finally:
            if acquired:
                lock.release()


atexit.register(shutdown)


def _fresh(key: Key, fork: bool) -> Worker:
    """A new pooled worker for ``key`` (caller holds the key's lock)."""
    old = _POOL.pop(key, None)
    if old is not None:
        old.close()
    worker = Worker(key[0], key[1], fork)
    _POOL[key] = worker
    return worker


def _one_batch(
    runs: Sequence[Run], backend: str, device: str, fork: bool, reuse: bool
) -> tuple[BatchOutcome, str | None]:
    if not (reuse and fork):
        worker = Worker(backend, device, fork)
        try:
            return worker.submit(runs)
        finally:
            worker.close()
    key = (backend, device)
    with _key_lock(key):
        worker = _POOL.get(key) or _fresh(key, fork)
        if not worker.alive:
            worker = _fresh(key, fork)
        warm = worker.started
        outcome, ended = worker.submit(runs)
        idle_exit = warm and not outcome.results and worker.process.returncode == 0
        if ended is not None and idle_exit and outcome.fatal is None:
            # It left (idle) just as this batch came: not the batch's fault, start afresh.
            worker = _fresh(key, fork)
            outcome, ended = worker.submit(runs)
        if ended is not None or not worker.alive or outcome.fatal is not None:
            worker.close()
            if _POOL.get(key) is worker:
                del _POOL[key]
        return outcome, ended


def run_batch(
    runs: Sequence[Run], backend: str, device: str, fork: bool = True, reuse: bool = True
) -> BatchOutcome:
    """Execute every run on ``backend``/``device``; each gets a result, a fatal, or a reason.

    A worker may stop early on purpose (on CUDA it runs one witness per process) or by
    accident (killed). If it never got its backend ready, every run fails with the reason;
    otherwise the run it was on is charged with the failure and the rest go to a fresh
    worker, so one witness that brings its process down cannot sink the others.

    ``reuse=False`` starts a worker for this batch alone; ``fork=False`` gives every run a
    worker process of its own, as on CUDA (slower: the backend is imported once per run).
    """
    total = BatchOutcome(backend=backend, device=device)
    pending = list(runs)
    while pending:
        outcome, ended = _one_batch(pending, backend, device, fork, reuse)
        total.device, total.version = outcome.device, outcome.version or total.version
        total.ready = total.ready or outcome.ready
        total.real_torch = total.real_torch or outcome.real_torch
        total.precompiled = total.precompiled or outcome.precompiled
        total.results.update(outcome.results)
        if outcome.fatal is not None:
            total.fatal = outcome.fatal
            return total
        remaining = [run for run in pending if run.id not in outcome.results]
        if remaining and len(remaining) == len(pending):  # no progress
            reason = ended or "sandbox process returned no result"
            charged = remaining if not outcome.ready else remaining[:1]
            for run in charged:
                total.results[run.id] = {"id": run.id, "killed": "worker", "reason": reason}
            remaining = remaining[len(charged) :]
        pending = remaining
    return total
