"""When to lint, what to keep, and what to publish.

Every change bumps a unit's *generation*. A lint runs after the debounce delay on a snapshot
taken when it starts, and its result is published only if no change came in meanwhile, so a
burst of edits ends with diagnostics for the final text and never for an older one. An edit
of a unit that has nothing waiting or running (its latest lint was published) is linted at
once: waiting would only delay the one result the editor wants, while an edit that comes
while a lint is still to come is part of a burst, and waits for the quiet time. A lint
still waiting (debounce, or queued behind the unit's running lint) is cancelled by the next
change; one already running in a worker is left to finish (its result is cached, which pays
off on undo) but is not published. At most one lint per unit runs at a time, so a storm of
changes cannot pile up work.

Results are cached per (content hash, path, settings): re-opening, saving, or undoing to a
text seen before costs a dictionary lookup. The cache is bounded by the results' size
(:mod:`memory`), and closing a document hands back what it held: its parsed statements in
the worker, the large-document worker once no large document is open, the process's freed
heap.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from autograd_lint.analysis.project import dependencies_unchanged
from autograd_lint.diagnostics import Confirmation, FileResult, Witness
from autograd_lint.isolation import CRASH_MESSAGE, failed_file
from autograd_lint.server import memory
from autograd_lint.server.convert import Published, to_lsp
from autograd_lint.server.pool import (
    LARGE_DOCUMENT_CHARS,
    LintCancelled,
    LintPool,
    ProjectContext,
    WorkerCrashed,
)
from autograd_lint.server.runtime import Confirmer
from autograd_lint.server.settings import DocumentSettings
from autograd_lint.server.units import LintUnit

log = logging.getLogger(__name__)

PublishFn = Callable[[str, "int | None", list[types.Diagnostic]], None]


@dataclass
class UnitState:
    """What the server knows about one open document or notebook."""

    generation: int = 0
    task: asyncio.Task[None] | None = None
    task_generation: int = -1
    running_generation: int = -1
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    published_generation: int = -1
    unit: LintUnit | None = None
    result: FileResult | None = None
    settings: DocumentSettings | None = None
    confirmations: dict[int, Confirmation] = field(default_factory=dict)
    published: dict[str, list[Published]] = field(default_factory=dict)
    confirm_generation: int = -1
    revision: int = 0
    """Bumped on every publish (confirmations included): the pull ``resultId``."""


class Engine:
    """Debounced, cancellable, cached linting of units, with background confirmation."""

    def __init__(
        self,
        snapshot: Callable[[str], LintUnit | None],
        settings_for: Callable[[LintUnit], DocumentSettings],
        publish: PublishFn,
        codec: Callable[[], PositionCodec],
        push: Callable[[], bool],
        refresh: Callable[[], None],
        pool: LintPool | None = None,
        confirmer: Confirmer | None = None,
        project_context: Callable[[LintUnit], ProjectContext] | None = None,
    ) -> None:
        self._snapshot = snapshot
        self._settings_for = settings_for
        self._publish = publish
        self._codec = codec
        self._push = push
        self._refresh = refresh
        self.pool = pool or LintPool()
        self._project_context = project_context
        self.confirmer = confirmer or Confirmer()
        self.states: dict[str, UnitState] = {}
        self.cache: memory.ResultCache[tuple[str, str, str], FileResult] = memory.ResultCache()
        self._background: set[asyncio.Task[None]] = set()

    # -- scheduling ------------------------------------------------------------------------

    def changed(self, key: str, delay_ms: int, typed: bool = False) -> None:
        """A unit's content (or settings) changed: lint it after ``delay_ms`` of quiet.

        ``typed``: the editor changed the unit's own text. Then, when nothing is waiting or
        running for it (its last lint is done: the editor shows that text's results), it is
        linted at once; the quiet time is for edits that come while a lint is still to
        come, which are bursts (see the module doc)."""
        state = self.states.setdefault(key, UnitState())
        task = state.task
        if typed and (task is None or task.done()) and state.running_generation == -1:
            delay_ms = 0
        state.generation += 1
        if (
            task is not None
            and not task.done()
            and state.task_generation != state.running_generation
        ):
            task.cancel()
        if state.running_generation != -1:
            self.pool.cancel(key)  # a long lint of the old text: stop it
        state.task_generation = state.generation
        state.task = asyncio.ensure_future(self._run(key, state, state.generation, delay_ms / 1000))

    def closed(self, key: str) -> list[str]:
        """Forget a unit; returns the URIs whose diagnostics should be cleared."""
        state = self.states.pop(key, None)
        if state is None:
            return []
        state.generation += 1
        if state.task is not None and not state.task.done():
            state.task.cancel()
        if state.running_generation != -1:
            self.pool.cancel(key)
        self._hand_back(state)
        return list(state.published)

    def _is_large(self, key: str) -> bool:
        """Whether an open unit is linted by the large-document worker (its text as the
        editor holds it now: a first lint still running has left no result yet)."""
        unit = self._snapshot(key)
        return unit is not None and len(unit.text) >= LARGE_DOCUMENT_CHARS

    def _hand_back(self, state: UnitState) -> None:
        """Free what a closed unit held, in the workers and here."""
        if state.unit is not None:
            self.pool.release(state.unit.path, len(state.unit.text) >= LARGE_DOCUMENT_CHARS)
        if not any(self._is_large(key) for key in self.states):
            self.pool.retire_large()
        state.unit = state.result = None
        memory.release()

    async def _run(self, key: str, state: UnitState, generation: int, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            current = await self.ensure_current(key, state, generation)
            if current and self._push():
                self._send(state)
                self._start_confirmation(key, state)
            elif current:
                self._refresh()  # a pull client learns that a re-lint has new results
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("linting %s failed", key)

    async def ensure_current(
        self, key: str, state: UnitState, generation: int | None = None
    ) -> bool:
        """Make ``state`` hold the lint of its latest generation; False if superseded."""
        async with state.lock:
            wanted = state.generation if generation is None else generation
            if wanted != state.generation or self.states.get(key) is not state:
                return False
            if state.published_generation == wanted:
                return True
            unit = self._snapshot(key)
            if unit is None:
                return False
            settings = self._settings_for(unit)
            state.running_generation = wanted
            try:
                result = await self.lint(unit, settings, key)
            except LintCancelled:
                return False
            finally:
                state.running_generation = -1
            if wanted != state.generation:
                return False
            state.unit, state.result, state.settings = unit, result, settings
            state.confirmations = self._cached_confirmations(result, settings)
            state.published_generation = wanted
            self._convert(state)
            return True

    async def lint(self, unit: LintUnit, settings: DocumentSettings, owner: str = "") -> FileResult:
        if settings.excluded:
            return FileResult(unit.path, (), unit.text, skipped=True)
        digest = hashlib.blake2b(
            unit.text.encode("utf-8", "surrogatepass"), digest_size=16
        ).hexdigest()
        cache_key = (digest, unit.path, settings.key)
        cached = self.cache.get(cache_key)
        context = self.project_context(unit)
        if cached is not None and dependencies_unchanged(cached.dependencies, context.overlay()):
            return cached
        started = time.perf_counter()
        try:
            result = await self.pool.lint(unit.text, unit.path, settings.lint, owner, context)
        except LintCancelled:
            raise
        except WorkerCrashed:  # publish that this document could not be checked
            return failed_file(unit.path, "the checking process", CRASH_MESSAGE)
        except Exception as error:
            log.exception("linting %s failed", unit.key)
            return failed_file(unit.path, "the lint", error)
        log.info(
            "linted %s (%d chars) in %.1f ms",
            unit.key,
            len(unit.text),
            (time.perf_counter() - started) * 1000,
        )
        self.cache.put(cache_key, result)
        return result

    def project_context(self, unit: LintUnit) -> ProjectContext:
        """The workspace folder and unsaved documents a lint of ``unit`` reads its imports
        through."""
        if self._project_context is None:
            return ProjectContext()
        return self._project_context(unit)

    def importers_of(self, path: str) -> list[str]:
        """Open units whose last result read the project module at ``path``."""
        wanted = os.path.abspath(path)
        return [
            key
            for key, state in self.states.items()
            if state.result is not None
            and any(dependency == wanted for dependency, _ in state.result.dependencies)
        ]

    # -- publishing ------------------------------------------------------------------------

    def _convert(self, state: UnitState) -> None:
        assert state.unit is not None and state.result is not None
        result = state.result
        state.published = to_lsp(
            state.unit,
            result.diagnostics,
            self._codec(),
            state.confirmations,
            stopped_at_line=result.stopped_at_line,
            stopped_in=result.stopped_in_lines,
        )
        state.revision += 1

    def _send(self, state: UnitState) -> None:
        assert state.unit is not None
        for uri, items in state.published.items():
            self._publish(uri, state.unit.version_of(uri), [item.lsp for item in items])

    def diagnostics_for(self, key: str, uri: str, current: bool = True) -> list[Published]:
        """What was last published for ``uri``; with ``current``, only if no edit came since.

        Hover passes ``current=False``: it explains the squiggles the editor still shows.
        """
        state = self.states.get(key)
        if state is None or (current and state.published_generation != state.generation):
            return []
        return state.published.get(uri, [])

    # -- runtime confirmation --------------------------------------------------------------

    def _cached_confirmations(
        self, result: FileResult, settings: DocumentSettings
    ) -> dict[int, Confirmation]:
        mode = settings.lint.runtime_check
        if mode == "off":
            return {}
        found: dict[int, Confirmation] = {}
        for index, finding in enumerate(result.diagnostics):
            if finding.witness is not None:
                verdict = self.confirmer.cached(finding.witness, mode, settings.lint.device)
                if verdict is not None:
                    found[index] = verdict
        return found

    def _start_confirmation(self, key: str, state: UnitState) -> None:
        settings, result = state.settings, state.result
        if settings is None or result is None or settings.lint.runtime_check == "off":
            return
        if state.confirm_generation == state.generation:
            return
        state.confirm_generation = state.generation
        pending: list[tuple[int, Witness]] = [
            (index, finding.witness)
            for index, finding in enumerate(result.diagnostics)
            if finding.witness is not None and index not in state.confirmations
        ]
        if not pending:
            return
        task = asyncio.ensure_future(self._confirm(key, state, state.generation, pending, settings))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _confirm(
        self,
        key: str,
        state: UnitState,
        generation: int,
        witnesses: list[tuple[int, Witness]],
        settings: DocumentSettings,
    ) -> None:
        loop = asyncio.get_running_loop()

        def still_wanted() -> bool:
            return state.generation == generation and self.states.get(key) is state

        try:
            verdicts = await loop.run_in_executor(
                self.confirmer.executor,
                self.confirmer.confirm_many,
                witnesses,
                settings.lint.runtime_check,
                settings.lint.device,
                still_wanted,
            )
        except Exception:
            log.exception("runtime confirmation failed")
            return
        if not verdicts or not still_wanted() or state.published_generation != generation:
            return
        state.confirmations.update(verdicts)
        self._convert(state)
        if self._push():
            self._send(state)
        else:
            self._refresh()

    async def witness_and_verdict(
        self, state: UnitState, index: int
    ) -> tuple[Witness | None, Confirmation | None]:
        """One finding's witness and its replay verdict, built and replayed now if needed.

        With the runtime check off, lints carry no witnesses (they cost more than the
        analysis), so the file is linted once more with witnesses for the one asked about.
        """
        if state.result is None or state.settings is None or state.unit is None:
            return None, None
        if not 0 <= index < len(state.result.diagnostics):  # the budget's note: no finding
            return None, None
        finding = state.result.diagnostics[index]
        witness = finding.witness
        if witness is None:
            unit, settings = state.unit, state.settings.lint
            full = await self.pool.lint_with_witnesses(
                unit.text, unit.path, settings, self.project_context(unit)
            )
            same = [
                d
                for d in full.diagnostics
                if d.code == finding.code and d.range == finding.range and d.witness is not None
            ]
            witness = same[0].witness if same else None
        if witness is None:
            return None, None
        if index in state.confirmations:
            return witness, state.confirmations[index]
        backend = state.settings.lint.runtime_check
        if backend == "off":
            backend = "mini"
        loop = asyncio.get_running_loop()
        verdict = await loop.run_in_executor(
            self.confirmer.executor,
            self.confirmer.confirm_one,
            witness,
            backend,
            state.settings.lint.device,
        )
        return witness, verdict

    def after_pull(self, key: str, state: UnitState) -> None:
        """A pull client got fresh results: start confirming them in the background."""
        self._start_confirmation(key, state)

    def shutdown(self) -> None:
        for state in self.states.values():
            if state.task is not None and not state.task.done():
                state.task.cancel()
        for task in list(self._background):
            task.cancel()
        with contextlib.suppress(Exception):
            self.pool.shutdown()
        with contextlib.suppress(Exception):
            self.confirmer.shutdown()
