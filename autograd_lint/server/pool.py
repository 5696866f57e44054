"""Lint in worker processes, so the server answers the editor while a file is analysed.

libcst's parser and the analysis hold the GIL for long stretches (hundreds of milliseconds on
a few thousand lines), so a thread would still stall the event loop: hovers and code actions
would wait behind a lint. A process does not. Small documents get their own worker so that
one huge file being analysed never delays the feedback on the file being typed in.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from autograd_lint.analysis.project import Overlay, Project, project_for
from autograd_lint.config import Settings
from autograd_lint.diagnostics import FileResult
from autograd_lint.server.large_text import chunks_for, too_large

if TYPE_CHECKING:
    from autograd_lint.analysis.chunks import ChunkCache
    from autograd_lint.analysis.facts import NameFacts

log = logging.getLogger(__name__)
T = TypeVar("T")

LARGE_DOCUMENT_CHARS = 512 * 1024
"""Documents at least this long are linted by the separate large-document worker."""


_local = threading.local()


def chunk_cache() -> ChunkCache:
    """This worker's parsed top-level statements, kept from one lint to the next.

    An edit changes one statement of the text: the others are found here, already parsed.
    One cache per thread, as the thread fallback may run both lanes at once.
    """
    cache = getattr(_local, "chunks", None)
    if cache is None:
        from autograd_lint.analysis.chunks import ChunkCache

        class DocumentChunks(ChunkCache):
            """The cache, told when a document closes (its statements are then retired)."""

            def release(self, owner: str) -> None:
                self._hold(owner, frozenset())
                self._live.pop(owner, None)

        cache = _local.chunks = DocumentChunks()
    return cache


def release_job(path: str) -> bool:
    """A document closed: retire its parsed statements and hand the freed memory back."""
    from autograd_lint.server import memory

    cache = chunk_cache()
    release = getattr(cache, "release", None)
    if release is not None:
        release(path)
    memory.release()
    return True


@dataclass(frozen=True)
class ProjectContext:
    """What a worker needs to know of the editor to follow a document's imports."""

    workspace_folder: str | None = None
    """The workspace folder holding the document: the project root, unless a folder between
    them is marked as one (``pyproject.toml``, ``.git``...)."""
    unsaved: tuple[tuple[str, str], ...] = ()
    """(path, text) of the other open documents whose text differs from their file: an
    imported module is read as the editor holds it, not as last saved."""

    def overlay(self) -> Overlay | None:
        return dict(self.unsaved).get if self.unsaved else None


def lint_job(
    text: str, path: str, settings: Settings, context: ProjectContext | None = None
) -> FileResult:
    """The work done in a worker: lint, and drop the source so it is not sent back.

    Witnesses are built when the settings ask for a runtime check (the core's default).
    """
    from autograd_lint.lint import lint_source

    project = _project(path, settings, context)
    return replace(
        lint_source(
            text, path, settings, chunks=chunks_for(text, path, chunk_cache()), project=project
        ),
        source=None,
    )


def _project(path: str, settings: Settings, context: ProjectContext | None) -> Project | None:
    """The project a document on disk belongs to, its imports read from the disk except
    where the editor holds unsaved text for them."""
    if not settings.follow_imports or not os.path.isabs(path) or not os.path.isfile(path):
        return None
    context = context or ProjectContext()
    return project_for(path, context.workspace_folder, context.overlay())


def witness_job(
    text: str, path: str, settings: Settings, context: ProjectContext | None = None
) -> FileResult:
    """Lint with witnesses whatever the settings say (someone asked to see one)."""
    from autograd_lint.lint import lint_source

    result = lint_source(
        text,
        path,
        settings,
        witnesses=True,
        chunks=chunks_for(text, path, chunk_cache()),
        project=_project(path, settings, context),
    )
    return replace(result, source=None)


def facts_job(
    text: str,
    path: str,
    settings: Settings,
    where: tuple[int, int, int],
    context: ProjectContext | None = None,
) -> list[NameFacts]:
    """Facts of names, for a hover (``where`` = line, column, 0) or inlay hints (first line,
    last line, 1): the text is analysed again, recording facts, from the parsed chunks."""
    from autograd_lint.analysis.facts import analyze_facts

    if too_large(text):
        return []
    index = analyze_facts(text, chunk_cache(), path, _project(path, settings, context))
    first, second, ranged = where
    if ranged:
        return index.bindings(first, second)
    found = index.at(first, second)
    return [found] if found is not None else []


def fix_job(text: str, path: str, settings: Settings) -> str:
    """Fix-all in a worker: the same rounds as ``check --fix`` (safe fixes, parse-checked)."""
    from autograd_lint.fixes import fix_source

    return fix_source(text, path, settings).fixed


def _watch_parent(parent: int) -> None:
    """Exit the worker when the server is gone, even if it was killed without cleanup."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _warm() -> bool:
    import autograd_lint.lint  # noqa: F401  (imports libcst and the rules once)

    return True


class LintCancelled(Exception):
    """A lint was stopped because its result is no longer wanted."""


class WorkerCrashed(Exception):
    """This document's lint kills the worker process each time (a native crash), while a
    fresh worker runs other work fine: the document is reported, not linted in a thread
    (where the same crash would take the server down)."""


class LintPool:
    """Two single-process executors (small and large documents), recreated if they break.

    A large document can take minutes; when its lint is no longer wanted (the text changed
    again, or the document was closed) the large worker is killed rather than left burning
    a core for a result nobody will see. Small lints are cheap and simply run to the end.
    """

    def __init__(self, use_processes: bool = True) -> None:
        self._use_processes = use_processes
        self._executors: dict[str, Executor] = {}
        self._large_owner: str | None = None
        self._cancelled: set[int] = set()

    def _executor(self, lane: str) -> Executor:
        executor = self._executors.get(lane)
        if executor is None:
            executor = self._make()
            self._executors[lane] = executor
        return executor

    def _make(self) -> Executor:
        if self._use_processes:
            try:
                return ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_watch_parent,
                    initargs=(os.getpid(),),
                )
            except (OSError, NotImplementedError, ImportError) as error:
                log.warning("worker processes unavailable (%s); linting in a thread", error)
                self._use_processes = False
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="autograd-lint")

    def warm(self) -> None:
        """Start the small-document worker now rather than on the first keystroke."""
        self._executor("small").submit(_warm)

    async def lint(
        self,
        text: str,
        path: str,
        settings: Settings,
        owner: str = "",
        context: ProjectContext | None = None,
    ) -> FileResult:
        return await self._submit(partial(lint_job, context=context), text, path, settings, owner)

    async def lint_with_witnesses(
        self, text: str, path: str, settings: Settings, context: ProjectContext | None = None
    ) -> FileResult:
        return await self._submit(partial(witness_job, context=context), text, path, settings, "")

    async def facts(
        self,
        text: str,
        path: str,
        settings: Settings,
        where: tuple[int, int, int],
        context: ProjectContext | None = None,
    ) -> list[NameFacts]:
        job = partial(facts_job, where=where, context=context)
        return await self._submit(job, text, path, settings, "")

    async def fix(self, text: str, path: str, settings: Settings) -> str:
        return await self._submit(fix_job, text, path, settings, "")

    def cancel(self, owner: str) -> bool:
        """Kill the large-document lint running for ``owner``, if there is one."""
        executor = self._executors.get("large")
        if executor is None or self._large_owner != owner or not owner:
            return False
        if not isinstance(executor, ProcessPoolExecutor):
            return False  # a thread cannot be stopped; its result will be dropped
        self._executors.pop("large", None)
        self._cancelled.add(id(executor))
        # ProcessPoolExecutor offers no way to stop a running call: end its process.
        processes = getattr(executor, "_processes", None) or {}
        for process in list(processes.values()):
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        log.info("stopped the lint of %s: superseded", owner)
        return True

    def release(self, path: str, large: bool) -> None:
        """Tell the worker of ``path``'s lane that the document closed (never starting one)."""
        executor = self._executors.get("large" if large else "small")
        if executor is None:
            return
        with contextlib.suppress(RuntimeError):  # shut down meanwhile
            executor.submit(release_job, path)

    def retire_large(self) -> None:
        """End the large-document worker: no large document is open, and what its lints
        left behind (hundreds of megabytes for a 5 MB file) would stay until the next one."""
        executor = self._executors.pop("large", None)
        if executor is None:
            return
        self._cancelled.add(id(executor))
        self._large_owner = None
        for process in list((getattr(executor, "_processes", None) or {}).values()):
            process.terminate()
        executor.shutdown(wait=False, cancel_futures=True)
        log.info("retired the large-document worker")

    def worker_pids(self) -> list[int]:
        pids: list[int] = []
        for executor in self._executors.values():
            processes = getattr(executor, "_processes", None) or {}
            pids.extend(p.pid for p in processes.values() if p.pid is not None)
        return pids

    async def _submit(
        self,
        job: Callable[[str, str, Settings], T],
        text: str,
        path: str,
        settings: Settings,
        owner: str,
    ) -> T:
        lane = "large" if len(text) >= LARGE_DOCUMENT_CHARS else "small"
        loop = asyncio.get_running_loop()
        for attempt in range(3):
            executor = self._executor(lane)
            if lane == "large":
                self._large_owner = owner
            try:
                return await loop.run_in_executor(executor, job, text, path, settings)
            except BrokenProcessPool:
                if id(executor) in self._cancelled:
                    self._cancelled.discard(id(executor))
                    raise LintCancelled(owner) from None
                log.error("lint worker died; starting a new one (attempt %d)", attempt + 1)
                self._executors.pop(lane, None)
                executor.shutdown(wait=False, cancel_futures=True)
                if attempt == 1:
                    if await self._workers_start(lane):
                        raise WorkerCrashed(path) from None
                    # Workers cannot start: lint in a thread from now on.
                    self._use_processes = False
        raise BrokenProcessPool("lint workers keep failing")

    async def _workers_start(self, lane: str) -> bool:
        """Whether a fresh worker can run a trivial job (so the last job was what killed it)."""
        if not self._use_processes:
            return False
        executor = self._executor(lane)
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, _warm)
        except Exception:
            self._executors.pop(lane, None)
            executor.shutdown(wait=False, cancel_futures=True)
            return False

    def shutdown(self) -> None:
        for executor in self._executors.values():
            executor.shutdown(wait=False, cancel_futures=True)
        self._executors.clear()
