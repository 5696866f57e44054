"""What the analysis knew about each name where it is written: the facts behind hovers.

The interpreter already computes, at every name it reads or binds, the value it stands for
and the grad mode it runs under; rules only see the events. :class:`FactsInterpreter`
records those facts as they are (a tensor's facts change as the analysis goes on, so each
record is a snapshot): requires grad, leaf, parameter, grad mode, which recorded ops saved
the tensor for backward so far, and what it aliases. A name evaluated more than once (a
loop body, a function followed from a call and analysed alone) gets the facts all passes
agree on; where they disagree the answer is "unknown" (or "varies" for grad mode).

It is an interpreter subclass so the analysis modules stay as they are: recording costs
nothing when no one asks for facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst

from autograd_lint.analysis.chunks import ChunkCache
from autograd_lint.analysis.interpreter import Interpreter
from autograd_lint.analysis.parse import ParseFailure, parse
from autograd_lint.analysis.positions import Positions
from autograd_lint.analysis.project import ForeignModule, Project
from autograd_lint.analysis.state import State
from autograd_lint.analysis.syntax import check_syntax
from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import (
    GraphNode,
    NNModule,
    Optimizer,
    Tensor,
    Tri,
    Unknown,
    Value,
)
from autograd_lint.cells import split_lines

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Facts:
    """One name's facts at one place, joined over every pass that evaluated it."""

    name: str
    kind: str
    """``tensor``, ``module``, ``optimizer``, ``value`` or ``unknown``."""
    requires_grad: str = "unknown"
    """``yes`` / ``no`` / ``unknown`` (tensors only)."""
    is_leaf: str = "unknown"
    is_parameter: bool = False
    grad_mode: str = "unknown"
    """``on`` / ``off`` / ``unknown`` / ``varies``: autograd's mode where the name is."""
    saved_by: tuple[tuple[str, int], ...] = ()
    """(op, 1-based line) of each op that saved this tensor for backward before this point."""
    alias_of: tuple[str, str] | None = None
    """(name of the tensor it aliases, how: ``detach`` / ``view`` / ``data``)."""
    binding: bool = False
    """The name is bound here (an assignment target, a loop variable), not read."""


@dataclass(frozen=True)
class NameFacts:
    """Facts of a name occurrence, and where it is (1-based line, code-point columns)."""

    line: int
    start: int
    end: int
    facts: Facts


@dataclass(eq=False)
class _Snapshot:
    kind: str
    requires_grad: Tri = Tri.UNKNOWN
    is_leaf: Tri = Tri.UNKNOWN
    is_parameter: bool = False
    grad_enabled: bool | None = None
    saved_sites: tuple[tuple[str, cst.CSTNode], ...] = ()
    alias: tuple[str, str] | None = None


@dataclass(eq=False)
class _Record:
    node: cst.Name
    binding: bool
    snapshots: list[_Snapshot] = field(default_factory=list)


class FactsInterpreter(Interpreter):
    """The interpreter, recording each name's facts as it reads and binds names."""

    def __init__(
        self,
        module: cst.Module,
        source: str,
        project: Project | None = None,
        path: str | None = None,
        origin: ForeignModule | None = None,
    ) -> None:
        super().__init__(module, source, project, path, origin)
        self.records: dict[int, _Record] = {}
        self._saved: dict[int, list[tuple[str, cst.CSTNode]]] = {}
        """Tensor (by ``id``) -> ops that saved it, as the graph nodes seen so far say."""
        self._nodes: set[int] = set()

    def expr(self, node: cst.BaseExpression, state: State) -> Value:
        value = super().expr(node, state)
        if isinstance(value, Tensor) and value.node is not None:
            self._see_graph(value.node)
        if isinstance(node, cst.Name):
            self._record(node, value, state, binding=False)
        return value

    def assign(
        self, target: cst.BaseExpression, value: Value, state: State, source: cst.BaseExpression
    ) -> None:
        super().assign(target, value, state, source)
        if isinstance(target, cst.Name):
            self._record(target, value, state, binding=True)

    def _see_graph(self, node: GraphNode) -> None:
        stack = [node]
        while stack:
            current = stack.pop()
            if id(current) in self._nodes:
                continue
            self._nodes.add(id(current))
            for saved in current.saved:
                self._saved.setdefault(id(saved.tensor), []).append((current.op, current.site))
            stack.extend(current.parents)

    def _record(self, node: cst.Name, value: Value, state: State, binding: bool) -> None:
        record = self.records.get(id(node))
        if record is None:
            record = self.records[id(node)] = _Record(node, binding)
        record.snapshots.append(self._snapshot(value, state))

    def _snapshot(self, value: Value, state: State) -> _Snapshot:
        mode = state.grad_enabled
        if isinstance(value, Tensor):
            alias = None
            if value.alias_of is not None and value.alias_kind is not None:
                alias = (value.alias_of.label or "a tensor", value.alias_kind)
            return _Snapshot(
                "tensor",
                value.requires_grad,
                value.is_leaf,
                value.is_param,
                mode,
                tuple(self._saved.get(id(value), ())),
                alias,
            )
        if isinstance(value, NNModule):
            return _Snapshot("module" if value.is_module else "value", grad_enabled=mode)
        if isinstance(value, Optimizer):
            return _Snapshot("optimizer", grad_enabled=mode)
        if isinstance(value, Unknown):
            return _Snapshot("unknown", grad_enabled=mode)
        return _Snapshot("value", grad_enabled=mode)


@dataclass
class FactsIndex:
    """The recorded facts of one text, asked about by position or by line range."""

    trace: Trace
    records: dict[int, _Record]
    lines: list[str]

    def at(self, line: int, column: int) -> NameFacts | None:
        """The facts of the name under (1-based ``line``, code-point ``column``)."""
        word = _word_at(self.lines[line - 1] if 0 < line <= len(self.lines) else "", column)
        if word is None:
            return None
        for record in self.records.values():
            if record.node.value != word:
                continue
            where = self.trace.range_of(record.node)
            if where.start_line == line and where.start_col <= column <= where.end_col:
                return NameFacts(line, where.start_col, where.end_col, self._join(record))
        return None

    def bindings(self, first_line: int, last_line: int) -> list[NameFacts]:
        """Facts of the tensors bound on lines ``first_line`` to ``last_line`` (1-based)."""
        found: list[NameFacts] = []
        for record in self.records.values():
            if not record.binding or not any(s.kind == "tensor" for s in record.snapshots):
                continue
            where = self.trace.range_of(record.node)
            if first_line <= where.start_line <= last_line:
                found.append(
                    NameFacts(where.start_line, where.start_col, where.end_col, self._join(record))
                )
        found.sort(key=lambda item: (item.line, item.start))
        return found

    def _join(self, record: _Record) -> Facts:
        snapshots = record.snapshots
        kinds = {s.kind for s in snapshots}
        modes = {s.grad_enabled for s in snapshots}
        mode = (
            "varies"
            if len(modes) > 1
            else {True: "on", False: "off", None: "unknown"}[next(iter(modes))]
        )
        name = record.node.value
        if kinds != {"tensor"}:
            kind = next(iter(kinds)) if len(kinds) == 1 else "unknown"
            return Facts(name, kind, grad_mode=mode, binding=record.binding)
        requires_grad = snapshots[0].requires_grad
        leaf = snapshots[0].is_leaf
        for snapshot in snapshots[1:]:
            requires_grad = requires_grad.join(snapshot.requires_grad)
            leaf = leaf.join(snapshot.is_leaf)
        saved: dict[tuple[str, int], None] = {}
        for snapshot in snapshots:
            for op, site in snapshot.saved_sites:
                saved[(op, self.trace.range_of(site).start_line)] = None
        aliases = {s.alias for s in snapshots}
        return Facts(
            name,
            "tensor",
            requires_grad.value,
            leaf.value,
            all(s.is_parameter for s in snapshots),
            mode,
            tuple(saved),
            next(iter(aliases)) if len(aliases) == 1 else None,
            record.binding,
        )


def _word_at(line: str, column: int) -> str | None:
    for match in _WORD.finditer(line):
        if match.start() <= column <= match.end():
            return match.group()
    return None


def analyze_facts(
    source: str, chunks: ChunkCache | None = None, owner: str = "", project: Project | None = None
) -> FactsIndex:
    """Interpret ``source`` recording facts; an index with nothing in it if it does not parse.

    With the ``project`` of the file at ``owner``, its imports are followed as a lint does:
    ``net = Net()`` of an imported class has the facts the lint reasoned with."""
    chunked = chunks.assemble(source, owner) if chunks is not None else None
    lines = split_lines(source)
    try:
        if chunked is None:
            check_syntax(source)
            module = parse(source)
        else:
            module = chunked.module
    except ParseFailure:
        return FactsIndex(Trace(module=cst.Module(body=[]), source=""), {}, lines)
    interpreter = FactsInterpreter(module, source, project, owner or None)
    if chunked is not None:
        interpreter.trace._positions = Positions(module, source, chunked.statement_starts)
    interpreter.run()
    return FactsIndex(interpreter.trace, interpreter.records, lines)


def describe(facts: Facts) -> str:
    """The facts in a few lines of Markdown (a hover)."""
    head = f"**`{facts.name}`**"
    if facts.kind == "unknown":
        return f"{head}: not known here · requires grad: unknown · grad mode: {facts.grad_mode}"
    if facts.kind != "tensor":
        kind = {"module": "module", "optimizer": "optimizer"}.get(facts.kind)
        if kind is None:
            return ""
        return f"{head}: {kind} · grad mode: {facts.grad_mode}"
    what = "parameter" if facts.is_parameter else "tensor"
    lines = [
        f"{head}: {what} · requires grad: **{facts.requires_grad}** · leaf: {facts.is_leaf}"
        f" · grad mode: {facts.grad_mode}"
    ]
    for op, line in facts.saved_by:
        lines.append(f"- saved for backward by `{op}` at line {line}")
    if facts.alias_of is not None:
        name, how = facts.alias_of
        lines.append(f"- alias of `{name}` ({how})")
    return "\n".join(lines)


def hint(facts: Facts) -> str:
    """A short label for an inlay hint after a bound tensor name."""
    grad = {"yes": "grad", "no": "no grad", "unknown": "grad?"}[facts.requires_grad]
    parts = [grad]
    if facts.is_leaf == "yes":
        parts.append("leaf")
    if facts.alias_of is not None:
        parts.append(f"{facts.alias_of[1]} of {facts.alias_of[0]}")
    if facts.saved_by:
        parts.append("saved")
    return ": " + ", ".join(parts)
