"""Checking many files: one process, or ``--jobs N`` worker processes.

Each file goes through the same pipeline — lint, fix (``--fix`` / ``--diff``), runtime check —
in whichever process handles it, so parallel and serial runs give identical results. Results
come back in input order (``Executor.map``), in chunks so that small files do not pay one
inter-process round trip each. One file that trips an internal error is reported and the run
goes on with the others.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import signal
import stat
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import partial
from typing import Literal

from autograd_lint import cache, segment_processes
from autograd_lint.analysis import segments
from autograd_lint.analysis.frame import budget_note
from autograd_lint.config import Settings
from autograd_lint.diagnostics import Confirmation, Diagnostic, FileResult, Witness
from autograd_lint.fixes import fix_source, parses, read_source, write_atomic
from autograd_lint.isolation import CRASH_MESSAGE, failed_file, with_internal_error
from autograd_lint.lint import MAX_FILE_BYTES, io_error, lint_path
from autograd_lint.noqa_codes import noqa_warnings
from autograd_lint.notebook import check_notebook, is_notebook
from autograd_lint.safe_write import WriteRefused, install_signal_cleanup

FixMode = Literal["none", "apply", "diff"]
ConfirmFunction = Callable[[Witness, str, str], Confirmation]
MAX_SEGMENT_PROCESSES = 4
"""Each process analysing a segment holds its parse (a few hundred MB)."""
PROGRESS_MIN_FILES = 50
"""Below this many files a progress bar is more noise than help."""


class RuntimeCheckUnavailable(Exception):
    """The runtime check was asked for but its module cannot be imported."""


@dataclass(frozen=True)
class CheckOptions:
    """What to do with each file, beyond linting it under ``settings``."""

    settings: Settings
    fix: FixMode = "none"
    unsafe_fixes: bool = False
    keep_source: bool = False
    """Send the file text back with the result (only needed by callers that edit it)."""
    tree: tuple[str, ...] = ()
    """The checked directories: ``--fix`` does not write through a symlink that leaves them."""
    cache_dir: str | None = None
    """The result cache's folder (:mod:`autograd_lint.cache`); ``None``: no cache."""
    segment_processes: int = 1
    """Processes a file analysed in segments may use (:mod:`autograd_lint.segment_processes`):
    set by :func:`run_checks` when it checks the files one at a time. The result is the same
    with any number."""


@dataclass(frozen=True)
class FileOutcome:
    """The result for one file, plus what fixing it did, or the internal error it caused."""

    result: FileResult
    fixed: int = 0
    diff: str = ""
    refused: tuple[str, ...] = ()
    error: str | None = None
    error_traceback: str | None = None
    warnings: tuple[str, ...] = ()
    """``line: message`` for questionable ``# noqa`` comments (reported, never a failure)."""


def load_confirm() -> ConfirmFunction:
    """``autograd_lint.runtime_check.confirm``, imported only when a runtime check is wanted."""
    try:
        module = importlib.import_module("autograd_lint.runtime_check")
        confirm: ConfirmFunction = module.confirm
    except (ImportError, AttributeError) as error:  # also a half-written or broken package
        raise RuntimeCheckUnavailable(
            f"the runtime check is not available ({type(error).__name__}: {error}); "
            "use --runtime-check off"
        ) from error
    return confirm


def confirm_diagnostics(
    diagnostics: Iterable[Diagnostic], backend: str, device: str
) -> tuple[Diagnostic, ...]:
    """Replay each witness and attach the verdict; a replay that crashes is not replayable."""
    confirm = load_confirm()
    confirmed: list[Diagnostic] = []
    for diagnostic in diagnostics:
        if diagnostic.witness is None:
            confirmed.append(diagnostic)
            continue
        try:
            verdict = confirm(diagnostic.witness, backend, device)
        except Exception as error:  # a broken replay must not take the check down
            verdict = Confirmation(
                "not_replayable", backend, device, f"runtime check failed: {error}"
            )
        confirmed.append(diagnostic.with_(confirmation=verdict))
    return tuple(confirmed)


def check_file(path: str, options: CheckOptions) -> FileOutcome:
    """Lint one file and, as asked, fix it and replay its findings."""
    settings = options.settings
    if is_notebook(path):
        result, fixed, diff, refused = check_notebook(
            path, settings, options.fix, options.unsafe_fixes, options.tree
        )
    else:
        result, fixed, diff, refused = _lint_and_fix(path, options)
    if settings.runtime_check != "off" and any(d.witness for d in result.diagnostics):
        result = replace(
            result,
            diagnostics=confirm_diagnostics(
                result.diagnostics, settings.runtime_check, settings.device
            ),
        )
    warnings = tuple(
        f"{_place(result, warning.line)}: {warning.message}"
        for warning in noqa_warnings(result.source or "")
    )
    if result.stopped_at_line is not None:
        warnings += (
            f"{_place(result, result.stopped_at_line)}: {budget_note(result.stopped_in_lines)}",
        )
    if result.segments:
        warnings += (
            f"{_place(result, 1)}: analysed in segments: the file is over "
            f"{segments.SEGMENT_THRESHOLD:,} characters, so its {result.segments} segments were "
            "analysed one at a time; a finding that needs facts from two segments is not "
            "reported",
        )
    if not options.keep_source:
        result = replace(result, source=None)
    return _outcome(result, fixed, diff, refused, warnings)


def _place(result: FileResult, line: int) -> str:
    """``12``, or ``cell 3:2`` in a notebook."""
    if result.cells is None:
        return str(line)
    cell, within = result.cells.locate(line)
    return f"cell {cell}:{within}"


def _lint_and_fix(path: str, options: CheckOptions) -> tuple[FileResult, int, str, tuple[str, ...]]:
    """A Python file: lint it and, as asked, fix it in place or as a diff."""
    settings = options.settings
    result = lint_path(path, settings, processes=options.segment_processes)
    fixed = 0
    diff = ""
    refused: tuple[str, ...] = ()
    if options.fix != "none" and result.source is not None and result.diagnostics:
        try:
            result, fixed, diff, refused = _fix(path, result, options)
        except Exception as error:  # the findings stand; only the fix is lost
            result = with_internal_error(result, f"--{options.fix} (fixing)", error)
    return result, fixed, diff, refused


def _fix(
    path: str, result: FileResult, options: CheckOptions
) -> tuple[FileResult, int, str, tuple[str, ...]]:
    """``--fix`` / ``--diff`` on one file: (result after it, fixes made, diff, refusals)."""
    source, bom = read_source(path)
    first = result if source == result.source else None
    outcome = fix_source(source, path, options.settings, unsafe=options.unsafe_fixes, first=first)
    refused = tuple(outcome.refused)
    if not (outcome.changed and parses(outcome.fixed)):
        return result, 0, "", refused
    if options.fix == "apply":
        try:
            write_atomic(path, outcome.fixed, bom, options.tree)
        except WriteRefused as refusal:  # read-only, or a link out of the tree
            return result, 0, "", (*refused, str(refusal))
        except OSError as error:  # disk full, quota, ...: the file is left as it was
            message = f"cannot write the fixed file: {error.strerror or error}; left unchanged"
            (failed,) = io_error(path, message).diagnostics
            return replace(result, diagnostics=(failed, *result.diagnostics)), 0, "", refused
        return outcome.result, outcome.applied, "", refused
    return result, outcome.applied, outcome.diff(), refused


def _outcome(
    result: FileResult,
    fixed: int,
    diff: str,
    refused: tuple[str, ...],
    warnings: tuple[str, ...] = (),
) -> FileOutcome:
    """The outcome, with the internal errors of the result as its ``error`` (exit status 2)."""
    if not result.internal_errors:
        return FileOutcome(result, fixed, diff, refused, warnings=warnings)
    return FileOutcome(
        result,
        fixed,
        diff,
        refused,
        warnings=warnings,
        error="; ".join(what for what, _ in result.internal_errors),
        error_traceback="".join(trace for _, trace in result.internal_errors),
    )


def check_file_safely(path: str, options: CheckOptions) -> FileOutcome:
    """:func:`check_file`, turning an unexpected exception into a reported internal error."""
    try:
        return check_file_cached(path, options)
    except RuntimeCheckUnavailable:
        raise
    except Exception as error:
        return _outcome(failed_file(path, "the check", error), 0, "", ())


def check_file_cached(path: str, options: CheckOptions) -> FileOutcome:
    """:func:`check_file`, answered from the result cache when the file is unchanged."""
    if not cache.cacheable(options) or options.keep_source or options.cache_dir is None:
        return check_file(path, options)
    data = _regular_file_bytes(path)
    if data is None:  # unreadable, special or too large: checked (and reported) as usual
        return check_file(path, options)
    key = cache.entry_key(path, data, options)
    hit = cache.load(options.cache_dir, key)
    if hit is not None and cache.usable(hit, options):
        return hit
    outcome = check_file(path, options)
    if outcome.fixed == 0 and not outcome.diff and cache.worth_storing(outcome):
        cache.store(options.cache_dir, key, replace(outcome, refused=()))
    return outcome


def _regular_file_bytes(path: str) -> bytes | None:
    """The bytes of a regular file of a checkable size; never opens a FIFO or a device."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def resolve_jobs(jobs: int) -> int:
    """``0`` means one worker per CPU."""
    return max(1, os.cpu_count() or 1) if jobs == 0 else max(1, jobs)


def chunk_size(files: int, jobs: int) -> int:
    # About four chunks per worker: big enough to amortise IPC, small enough to balance load.
    return max(1, min(64, files // (jobs * 4) or 1))


def run_checks(
    paths: Sequence[str],
    options: CheckOptions,
    jobs: int = 1,
    progress: bool = False,
) -> list[FileOutcome]:
    """Check ``paths`` and return one outcome per path, in the same order.

    Files are checked in ``jobs`` worker processes; when that is one process, a very large
    file's segments are still analysed in up to ``max(jobs, PROCESSES)`` processes (at most
    one per CPU and :data:`MAX_SEGMENT_PROCESSES`): its check is then no slower than its
    slowest part."""
    workers = min(resolve_jobs(jobs), max(1, len(paths)))
    if workers == 1 and options.segment_processes == 1:
        wanted = max(resolve_jobs(jobs), segment_processes.PROCESSES)
        usable = min(wanted, MAX_SEGMENT_PROCESSES, os.cpu_count() or 1)
        options = replace(options, segment_processes=usable)
    if options.fix == "apply":
        install_signal_cleanup()  # a temporary file being written is removed on SIGTERM
    task = partial(check_file_safely, options=options)
    show = progress and len(paths) >= PROGRESS_MIN_FILES and sys.stderr.isatty()
    if workers == 1:
        return list(_with_progress(map(task, paths), len(paths), show))
    outcomes = _parallel(list(paths), task, workers)
    return list(_with_progress(outcomes, len(paths), show))


def _worker_setup(parent: int) -> None:
    """In each worker: temporary files removed on a signal, and the worker ends with the
    command. A worker is a process of its own; without this, a ``kill`` of the command (or
    its death) left the workers checking the rest of their files, writing fixes included."""
    install_signal_cleanup()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        except (OSError, AttributeError):
            return
    if os.getppid() != parent:  # the command ended before the line above took effect
        os.kill(os.getpid(), signal.SIGTERM)


_PR_SET_PDEATHSIG = 1
"""Linux ``prctl`` option: the signal a process receives when its parent ends."""


def _parallel(
    paths: list[str], task: Callable[[str], FileOutcome], workers: int
) -> Iterator[FileOutcome]:
    """Outcomes in input order from a process pool; a dying worker does not end the run."""
    pool = ProcessPoolExecutor(
        max_workers=workers, initializer=_worker_setup, initargs=(os.getpid(),)
    )
    try:
        # map() submits every chunk now, so the workers fork before any progress thread starts.
        results = pool.map(task, paths, chunksize=chunk_size(len(paths), workers))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return _drain(pool, results, paths, task)


def _drain(
    pool: ProcessPoolExecutor,
    results: Iterator[FileOutcome],
    paths: list[str],
    task: Callable[[str], FileOutcome],
) -> Iterator[FileOutcome]:
    done = 0
    try:
        for outcome in results:
            done += 1
            yield outcome
    except BrokenProcessPool:
        pool.shutdown(wait=True)
        yield from _isolated(paths[done:], task)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _isolated(paths: list[str], task: Callable[[str], FileOutcome]) -> Iterator[FileOutcome]:
    """After a worker died: one worker at a time, so the file that kills it is identified."""
    position = 0
    while position < len(paths):
        try:
            with ProcessPoolExecutor(
                max_workers=1, initializer=_worker_setup, initargs=(os.getpid(),)
            ) as pool:
                for outcome in pool.map(task, paths[position:], chunksize=1):
                    position += 1
                    yield outcome
        except BrokenProcessPool:
            crashed = failed_file(paths[position], "the checking process", CRASH_MESSAGE)
            yield _outcome(crashed, 0, "", ())
            position += 1


def _with_progress(
    outcomes: Iterator[FileOutcome], total: int, show: bool
) -> Iterator[FileOutcome]:
    if not show:
        yield from outcomes
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        TextColumn("checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task_id = bar.add_task("check", total=total)
        for outcome in outcomes:
            bar.advance(task_id)
            yield outcome
