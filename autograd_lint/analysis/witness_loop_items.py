"""Witnesses: the loop target of a ``for`` over a short container, bound once per pass.

``for loss_item in loss: loss_item.backward()`` comes out of the trace unrolled (one
statement per pass) with nothing binding ``loss_item``: a script would need a stand-in
for it. Where the loop runs over a name bound to a container whose items are known one by
one (a tuple of losses), and the body statement ran exactly once per item, the pass it
ran in is known: the script binds ``loss_item = loss[k]`` before it, which is what the
k-th iteration of the file's loop binds.
"""

from __future__ import annotations

import ast

import libcst as cst

from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import Sequence, Value
from autograd_lint.quiet_parse import parse_module_quietly


class _Loops(cst.CSTVisitor):
    """Each simple statement -> the innermost ``for`` around it within its function, for
    loops of one name over one name, not themselves inside another loop of the function."""

    def __init__(self) -> None:
        self.found: dict[int, cst.For] = {}
        self._stack: list[cst.For | cst.While | None] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._stack.append(None)  # a function's loops are its own

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._stack.pop()

    def visit_For(self, node: cst.For) -> None:
        self._stack.append(node)

    def leave_For(self, original_node: cst.For) -> None:
        self._stack.pop()

    def visit_While(self, node: cst.While) -> None:
        self._stack.append(node)

    def leave_While(self, original_node: cst.While) -> None:
        self._stack.pop()

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        loops: list[cst.For | cst.While] = []
        for entry in reversed(self._stack):
            if entry is None:
                break
            loops.append(entry)
        if len(loops) != 1 or not isinstance(loops[0], cst.For):
            return
        loop = loops[0]
        if (
            isinstance(loop.target, cst.Name)
            and isinstance(loop.iter, cst.Name)
            and loop.orelse is None
        ):
            self.found[id(node)] = loop


_CACHE: dict[int, tuple[cst.Module, dict[int, cst.For]]] = {}
"""The loops of the last file looked at (one file's findings are rendered together)."""


def _loop_of(trace: Trace, statement: cst.CSTNode) -> cst.For | None:
    cached = _CACHE.get(id(trace))
    if cached is None or cached[0] is not trace.module:
        visitor = _Loops()
        trace.module.visit(visitor)
        _CACHE.clear()
        cached = (trace.module, visitor.found)
        _CACHE[id(trace)] = cached
    return cached[1].get(id(statement))


def _container(trace: Trace, name: str, before: int, caller: int | None) -> Value | None:
    """The value ``name`` held, in the run of the function made by statement ``caller``,
    just before statement ``before``: its latest binding there, else the call's argument."""
    latest = max(
        (
            s
            for s, bound in trace.bindings.items()
            if s < before and name in bound and trace.called_from.get(s) == caller
        ),
        default=None,
    )
    if latest is not None:
        return trace.bindings[latest][name]
    if caller is not None:
        return trace.inputs.get(caller, {}).get(name)
    return None


def loop_item(trace: Trace, seq: int) -> tuple[cst.For, int, str, Value] | None:
    """For statement ``seq`` in the body of a ``for x in xs`` over a container of known
    items: the loop, the pass (from 0) ``seq`` ran in, the target's name and the
    container; None where any of that is not known for sure."""
    entry = trace.statements.get(seq)
    if entry is None:
        return None
    statement = entry[0]
    loop = _loop_of(trace, statement)
    if loop is None:
        return None
    assert isinstance(loop.target, cst.Name) and isinstance(loop.iter, cst.Name)
    caller = trace.called_from.get(seq)
    runs = sorted(
        s
        for s, (other, _) in trace.statements.items()
        if other is statement and trace.called_from.get(s) == caller
    )
    container = _container(trace, loop.iter.value, runs[0], caller)
    if not (
        isinstance(container, Sequence)
        and not container.homogeneous
        and not container.open_length
        and container.keys is None
        and len(container.items) == len(runs)
    ):
        return None  # not one pass per item, each known: which item a pass had is not known
    rebound = any(
        loop.iter.value in trace.bindings.get(s, {}) and trace.called_from.get(s) == caller
        for s in range(runs[0], runs[-1] + 1)
    )
    if rebound:
        return None  # the container is rebound inside the loop
    return loop, runs.index(seq), loop.target.value, container


def loop_target(
    trace: Trace,
    seq: int,
    rendered: str,
    names_of: dict[int, str],
    items_at: dict[str, tuple[int, int | None, int]],
) -> list[str]:
    """``loss_item = loss[1]`` before statement ``seq`` (written ``rendered``) of the second
    pass of ``for loss_item in loss`` where it reads ``loss_item`` and the script holds the
    container under a name (``names_of``: a value's identity -> its name in the script);
    nothing where the pass's item is already bound (``items_at``: a loop target -> the
    loop, call and pass of the item the script last bound it to, updated here)."""
    found = loop_item(trace, seq)
    if found is None:
        return []
    loop, index, target, container = found
    holder = names_of.get(id(container))
    key = (id(loop), trace.called_from.get(seq), index)
    if holder is None or items_at.get(target) == key or target not in _statement_names(rendered):
        return []
    items_at[target] = key
    if isinstance(container, Sequence):
        names_of.setdefault(id(container.items[index]), target)
    return [f"{target} = {holder}[{index}]"]


def _statement_names(code: str) -> set[str]:
    """The names a rendered statement reads or binds."""
    try:
        tree = parse_module_quietly(code)
    except SyntaxError:
        return set()
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
