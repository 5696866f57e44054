"""Functions analysed alone, remembered between lints of one document and used again while
nothing they read has changed.

After the module's top level, every function is interpreted alone (unknown parameters, the
module's names as globals). An editor re-lints after each keystroke, and a keystroke changes
one function: the others would be analysed again to the same end. Here each one's *part of
the trace* (its events, its entries in the trace's tables, the nested functions it queued)
is recorded, and replayed when the same function comes back at the same place.

What makes a replay give what an analysis would give:

- *The same code.* Functions are recognised by node identity: the chunk cache gives an
  unchanged top-level statement back as the same libcst nodes, so an edited function (and
  everything nested in it) has new nodes and is analysed again.
- *The same inputs.* While a function is recorded, every name it looks up among the module's
  globals (directly, or through a closure it follows) and every project class it looks up
  by name is noted. It is kept only if each such name was missing or an imported module
  (``torch.nn.functional``): nothing it read is module state that an edit elsewhere could
  change, or that it could have changed for the functions after it. A replay checks the
  names again.
- *Nothing shared.* A function whose analysis wrote to the trace what was there before it
  (another function followed into it), read what another scope wrote, touched another module
  of the project, queued a method, or ran near the statement budget is not kept. Two tables
  every scope writes to are replayed write for write instead: the statement each
  expression belongs to (the last writer's stays; no analysis reads it) and the names bound
  outside any simple statement (filed under statement 0).
- *The same numbers.* Statements are numbered (``seq``) and objects identified
  (:func:`~autograd_lint.analysis.values.fresh_id`) in increasing order, and the rules
  compare those numbers. Here each function gets its own block of both, chosen by its place
  in the list of functions, so a replayed function carries exactly the numbers a new
  analysis at that place would give it, in the same order relative to all the others as a
  plain analysis gives (the top level first, then function after function). The statement
  budget counts statements as before.

Whatever this module cannot vouch for, it analyses. It is only used without witnesses
(their scripts name values by statement number). Memory: one document's entries are those
of its latest text; at most :data:`MAX_OWNERS` documents are kept.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import ItemsView, Iterator, KeysView, Mapping, ValuesView
from dataclasses import dataclass

import libcst as cst

from autograd_lint.analysis import values
from autograd_lint.analysis.binding import CALL_BUDGET_SHARE
from autograd_lint.analysis.decorators import decorator_site
from autograd_lint.analysis.frame import Budget
from autograd_lint.analysis.interpreter import (
    Interpreter,
    _absolute,
    analyze_parsed,
    module_globals,
)
from autograd_lint.analysis.positions import Positions, Starts
from autograd_lint.analysis.project import ForeignModule, Project
from autograd_lint.analysis.state import State
from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import ModuleRef, Value

MAX_OWNERS = 32
"""Documents whose functions are remembered (the least recently linted dropped first)."""

SEQ_BLOCK = 1 << 18
"""Statement numbers per function: more than the file's statement budget, so one function's
numbers never reach the next one's."""
SEQ_LIMIT = 1_000_000_000
"""Imported modules' statements are numbered from here up (``imports.SEQ_SPACING``)."""
ID_BASE = 1 << 62
ID_BLOCK = 1 << 40
"""Object identities per function, above any the process-wide counter will reach."""

_TABLES = (
    "statements",
    "bindings",
    "inputs",
    "input_calls",
    "returned_by",
    "called_from",
    "input_literals",
    "finished_after",
    "owner",
    "constants",
)
"""The trace's tables a function's analysis writes."""


class _Unsupported(Exception):
    """The analysis reached what the numbering cannot place (another module's top level
    run from inside a function): the file is analysed the plain way instead."""


class _Logged(dict[object, object]):
    """A trace table that tells the recording what was written and read."""

    recording: _Recording | None = None

    def __setitem__(self, key: object, value: object) -> None:
        if self.recording is not None:
            self.recording.wrote(self, key)
        dict.__setitem__(self, key, value)

    def setdefault(self, key: object, default: object = None) -> object:
        if self.recording is not None:
            self.recording.wrote(self, key)
        return dict.setdefault(self, key, default)

    def get(self, key: object, default: object = None) -> object:
        if self.recording is not None:
            self.recording.read(self, key)
        return dict.get(self, key, default)

    def __getitem__(self, key: object) -> object:
        if self.recording is not None:
            self.recording.read(self, key)
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        if self.recording is not None:
            self.recording.read(self, key)
        return dict.__contains__(self, key)

    def update(self, *args: object, **kwargs: object) -> None:
        if self.recording is not None:
            self.recording.shared = True  # not a way the analysis fills its own tables
        dict.update(self, *args, **kwargs)


class _LoggedSet(set[int]):
    recording: _Recording | None = None

    def add(self, item: int) -> None:
        if self.recording is not None:
            self.recording.added.append(item)
        set.add(self, item)


class _Reads(Mapping[str, Value]):
    """The module's globals as a function sees them, noting each name it looks up.

    Walks over all of them (``state.globals.items()``) are not noted: the analysis walks
    them only to find an object it holds by identity, and a function that read nothing but
    imported modules holds no object of the module's."""

    def __init__(self, env: dict[str, Value], recording: _Recording | None) -> None:
        self.env = env
        self.recording = recording

    def __getitem__(self, key: str) -> Value:
        if self.recording is not None:
            self.recording.names.add(key)
        return self.env[key]

    def get(self, key: str, default: object = None) -> Value | None:  # type: ignore[override]
        if self.recording is not None:
            self.recording.names.add(key)
        return self.env.get(key)

    def __contains__(self, key: object) -> bool:
        if self.recording is not None and isinstance(key, str):
            self.recording.names.add(key)
        return key in self.env

    def __iter__(self) -> Iterator[str]:
        return iter(self.env)

    def items(self) -> ItemsView[str, Value]:
        return self.env.items()

    def values(self) -> ValuesView[Value]:
        return self.env.values()

    def keys(self) -> KeysView[str]:
        return self.env.keys()

    def __len__(self) -> int:
        return len(self.env)


class _ClassReads(dict[object, object]):
    """The interpreter's project classes by name, noting lookups while a function records."""

    recording: _Recording | None = None

    def get(self, key: object, default: object = None) -> object:
        if self.recording is not None:
            self.recording.classes.add(key)
        return dict.get(self, key, default)

    def __getitem__(self, key: object) -> object:
        if self.recording is not None:
            self.recording.classes.add(key)
        return dict.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        if self.recording is not None:
            self.recording.classes.add(key)
        return dict.__contains__(self, key)

    def __setitem__(self, key: object, value: object) -> None:
        if self.recording is not None:
            self.recording.shared = True
        dict.__setitem__(self, key, value)


class _Recording:
    """What one function's analysis wrote and read, while it runs."""

    def __init__(self) -> None:
        self.written: dict[int, dict[object, None]] = {}
        """Per table (by id): the keys written, in the order first written."""
        self.shared = False
        """Set when the analysis touched what it does not own: the function is not kept."""
        self.names: set[str] = set()
        self.classes: set[object] = set()
        self.added: list[object] = []
        self.merged: object = None
        """The trace's bindings, whose statement 0 every scope adds to."""
        self.owners: object = None
        """The trace's statement of each expression: every scope that runs an expression
        writes the statement it ran it in, the last one stays. A function's own writes are
        replayed in its turn, so the table ends as the analysis leaves it; no analysis
        reads it."""

    def wrote(self, table: dict[object, object], key: object) -> None:
        if key == 0 and table is self.merged:
            return  # statement 0: what no statement bound (see ``Entry.loose``)
        own = self.written.setdefault(id(table), {})
        if key not in own:
            if dict.__contains__(table, key) and table is not self.owners:
                self.shared = True  # there before this function: another scope's entry
            own[key] = None

    def read(self, table: dict[object, object], key: object) -> None:
        own = self.written.get(id(table))
        if table is self.owners:
            return  # read only to place findings, after the analysis
        if (own is None or key not in own) and dict.__contains__(table, key):
            self.shared = True  # an entry another scope wrote


@dataclass(eq=False)
class Entry:
    """One function's recorded part of the trace."""

    node: cst.FunctionDef
    place: int
    """Its index in the interpreter's list of functions (which fixes its numbers)."""
    names: dict[str, str | None]
    """Globals it looked up: the imported module's name, or None for a missing name."""
    classes: frozenset[object]
    """Class names it looked up, none of which was a project class."""
    statements: int
    events: list[object]
    tables: tuple[tuple[tuple[object, object], ...], ...]
    """Per table of :data:`_TABLES`, its entries (key, value) in the order written."""
    rebound: tuple[int, ...]
    loose: tuple[tuple[str, Value], ...]
    """Names it bound outside any simple statement (a loop's target, ``with ... as``): the
    trace files them under statement 0, with those of every other scope."""
    nested: tuple[cst.FunctionDef, ...]
    """Nested functions it queued to be analysed alone."""


class ScopeCache:
    """Recorded functions, per document (``owner``): those of its latest lint."""

    def __init__(self, owners: int = MAX_OWNERS) -> None:
        self.owners = owners
        self._documents: OrderedDict[str, dict[int, Entry]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return sum(len(entries) for entries in self._documents.values())

    def clear(self) -> None:
        self._documents.clear()

    def entries(self, owner: str) -> dict[int, Entry]:
        return self._documents.get(owner, {})

    def keep(self, owner: str, entries: dict[int, Entry]) -> None:
        """Make ``entries`` what is remembered of ``owner`` (its latest lint)."""
        self._documents.pop(owner, None)
        self._documents[owner] = entries
        while len(self._documents) > self.owners:
            self._documents.popitem(last=False)


def analyze_cached(
    module: cst.Module,
    source: str,
    cache: ScopeCache,
    owner: str,
    starts: Starts | None = None,
    project: Project | None = None,
    path: str | None = None,
) -> Trace:
    """:func:`~autograd_lint.analysis.interpreter.analyze_parsed`, with the functions
    ``cache`` holds for ``owner`` replayed rather than analysed again.

    The functions' blocks of identities are drawn by swapping the process-wide counter, so
    this runs only in the main thread, where the language server's worker processes and
    the command line analyse; the server's fallback lints in threads, possibly two at once,
    and those analyse the plain way."""
    if threading.current_thread() is not threading.main_thread():
        return analyze_parsed(module, source, starts, project, path)
    saved = values._ids
    try:
        interpreter = CachingInterpreter(module, source, project, _absolute(path))
        interpreter.cache_from(cache.entries(owner))
        if starts is not None:
            interpreter.trace._positions = Positions(module, source, starts)
        interpreter.run()
    except _Unsupported:
        values._ids = saved
        cache.keep(owner, {})
        plain = Interpreter(module, source, project, _absolute(path))
        if starts is not None:
            plain.trace._positions = Positions(module, source, starts)
        plain.run()
        return plain.trace
    finally:
        values._ids = saved
    cache.hits += interpreter.replayed
    cache.misses += interpreter.recorded
    cache.keep(owner, interpreter.kept)
    return _plain(interpreter.trace)


def _plain(trace: Trace) -> Trace:
    """The trace with its tables as plain dictionaries again (nothing logs any more)."""
    for name in _TABLES:
        setattr(trace, name, dict(getattr(trace, name)))
    trace.rebound_inputs = set(trace.rebound_inputs)
    return trace


class CachingInterpreter(Interpreter):
    """The interpreter, with each function given its own block of numbers, and the
    functions without a part in anything shared recorded or replayed."""

    def __init__(
        self,
        module: cst.Module,
        source: str,
        project: Project | None = None,
        path: str | None = None,
        origin: ForeignModule | None = None,
    ) -> None:
        super().__init__(module, source, project, path, origin)
        self._previous: dict[int, Entry] = {}
        self.kept: dict[int, Entry] = {}
        self.replayed = 0
        self.recorded = 0
        self._in_functions = False

    def cache_from(self, previous: dict[int, Entry]) -> None:
        self._previous = previous
        for name in _TABLES:
            setattr(self.trace, name, _Logged(getattr(self.trace, name)))
        self.trace.rebound_inputs = _LoggedSet(self.trace.rebound_inputs)
        self.classes = _ClassReads(self.classes)  # type: ignore[assignment]

    def _run_module(self, foreign: ForeignModule, node: cst.CSTNode):  # type: ignore[no-untyped-def]
        if self._in_functions:
            raise _Unsupported  # its objects would be numbered in a function's block
        return super()._run_module(foreign, node)

    def run(self) -> None:
        state = State()
        try:
            state = self.block(self.module.body, state)  # the joined state (see Interpreter)
            globals_env = module_globals(state)
            executed = self._seq
            self._in_functions = True
            place = 0
            while place < len(self.functions):
                if (place + 2) * SEQ_BLOCK >= SEQ_LIMIT:
                    raise _Unsupported  # more functions than blocks below imported modules
                function, owner = self.functions[place]
                base = (place + 1) * SEQ_BLOCK
                self._seq = base
                self.seq_start = base - executed
                values._ids = itertools.count(ID_BASE + (place + 1) * ID_BLOCK)
                entry = self._previous.get(id(function)) if owner is None else None
                if entry is not None and self._replays(entry, place, globals_env, executed):
                    self._replay(entry, function)
                elif owner is None:
                    self._record(function, place, globals_env, executed)
                else:
                    self.run_function(function, owner, globals_env)
                if (
                    self._seq - base >= SEQ_BLOCK
                    or next(values._ids) >= ID_BASE + (place + 2) * ID_BLOCK
                ):
                    raise _Unsupported  # cannot happen within the budget; said, not assumed
                executed += self._seq - base
                place += 1
        except Budget:
            pass

    def _replays(
        self, entry: Entry, place: int, globals_env: dict[str, Value], executed: int
    ) -> bool:
        if entry.place != place or executed + entry.statements > self._call_budget():
            return False
        for name, qualname in entry.names.items():
            value = globals_env.get(name)
            if qualname is None and value is not None:
                return False
            if qualname is not None and not (
                isinstance(value, ModuleRef) and value.qualname == qualname
            ):
                return False
        if any(dict.__contains__(self.classes, name) for name in entry.classes):
            return False
        for name, entries in zip(_TABLES, entry.tables, strict=True):
            table = getattr(self.trace, name)
            if name != "owner" and any(dict.__contains__(table, key) for key, _ in entries):
                return False  # another scope already wrote there (it followed into this one)
        return True

    def _replay(self, entry: Entry, function: cst.FunctionDef) -> None:
        self.trace.events.extend(entry.events)  # type: ignore[arg-type]
        for name, entries in zip(_TABLES, entry.tables, strict=True):
            dict.update(getattr(self.trace, name), entries)
        set.update(self.trace.rebound_inputs, entry.rebound)  # bypasses the logging
        if entry.loose:
            dict.setdefault(self.trace.bindings, 0, {}).update(entry.loose)
        self.functions.extend((nested, None) for nested in entry.nested)
        self._seq += entry.statements
        self._grad_off_site = decorator_site(function)
        self.kept[id(function)] = entry
        self.replayed += 1

    @staticmethod
    def _listen(
        tables: list[_Logged],
        rebound: _LoggedSet,
        classes: _ClassReads,
        recording: _Recording | None,
    ) -> None:
        for table in tables:
            table.recording = recording
        rebound.recording = recording
        classes.recording = recording

    def _call_budget(self) -> float:
        return self.statement_budget * CALL_BUDGET_SHARE

    def _counters(self) -> tuple[int, ...]:
        """What a function's analysis may grow: the events and functions it adds (the first
        two), then what a kept function must leave as it found it."""
        return (
            len(self.trace.events),
            len(self.functions),
            len(self.imported),
            len(self.trace.dependencies),
            len(self.trace.foreign),
            len(self.trace.elsewhere_only),
            self.foreign_statements,
            self._uncertain,
            len(self._stands_for),
            len(self._loops),
        )

    def _record(
        self, function: cst.FunctionDef, place: int, globals_env: dict[str, Value], executed: int
    ) -> None:
        recording = _Recording()
        tables: list[_Logged] = [getattr(self.trace, name) for name in _TABLES]
        rebound = self.trace.rebound_inputs
        assert isinstance(rebound, _LoggedSet) and isinstance(self.classes, _ClassReads)
        before = self._counters()
        start = self._seq
        bindings = self.trace.bindings
        recording.merged = bindings
        recording.owners = self.trace.owner
        loose_before = dict(dict.get(bindings, 0, {}))  # type: ignore[arg-type]
        self._listen(tables, rebound, self.classes, recording)
        try:
            self.run_function(function, None, _Reads(globals_env, recording))  # type: ignore[arg-type]
        finally:
            self._listen(tables, rebound, self.classes, None)
        self.recorded += 1
        after = self._counters()
        statements = self._seq - start
        nested = self.functions[before[1] :]
        if (
            recording.shared
            or after[2:] != before[2:]
            or any(owner is not None for _, owner in nested)
            or executed + statements > self._call_budget()
            or any(dict.__contains__(self.classes, name) for name in recording.classes)
        ):
            return
        loose_after: dict[str, Value] = dict.get(bindings, 0, {})
        loose = tuple((k, v) for k, v in loose_after.items() if loose_before.get(k) is not v)
        names: dict[str, str | None] = {}
        for name in recording.names:
            value = globals_env.get(name)
            if value is None:
                names[name] = None
            elif isinstance(value, ModuleRef):
                names[name] = value.qualname
            else:
                return  # module state: not kept
        self.kept[id(function)] = Entry(
            node=function,
            place=place,
            names=names,
            classes=frozenset(recording.classes),
            statements=statements,
            events=list(self.trace.events[before[0] :]),
            tables=tuple(
                tuple(
                    (key, dict.__getitem__(table, key))
                    for key in recording.written.get(id(table), ())
                )
                for table in tables
            ),
            rebound=tuple(item for item in recording.added if isinstance(item, int)),
            loose=loose,
            nested=tuple(node for node, _ in nested),
        )


__all__ = ["CachingInterpreter", "Entry", "ScopeCache", "analyze_cached"]
