"""Witnesses: the order of a slice's statements around the calls they run inside.

A followed call's body runs before the statement that called it; these helpers say where
that body ends, which arguments another call of the same statement made, and which
statements ran inside which call. :class:`~autograd_lint.analysis.witness_render.SliceBuilder`
orders its entries with them, and keeps the stand-in lines it could write.
"""

from __future__ import annotations

from collections.abc import Callable

from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import Tensor, Value


def finished_at(trace: Trace, seq: int) -> tuple[int, int]:
    """The last statement the calls of ``seq`` ran (through nested calls), and how deep
    ``seq`` itself is in the calls of the script."""
    finished = trace.finished_after
    last = finished.get(seq, seq)
    seen = {seq}
    while last in finished and last not in seen:
        seen.add(last)
        last = finished[last]
    depth = 0
    caller = trace.called_from.get(seq)
    while caller is not None and depth < 64:
        depth += 1
        caller = trace.called_from.get(caller)
    return last, depth


def made_in_body(
    trace: Trace, seqs: set[int] | frozenset[int], calls: list[int]
) -> dict[tuple[int, str], tuple[int, str]]:
    """(call, parameter) -> (statement, name) for the argument of a followed call that
    the body of another call in the same statement returned (``f(g(x))``, ``g``
    followed): it is bound by that body, after the call's other arguments, under a
    name the statement gives it there."""
    found: dict[tuple[int, str], tuple[int, str]] = {}
    if not calls:
        return found
    first: dict[int, int] = {}
    """A value's identity -> the first statement binding a name to it."""
    for seq in sorted(trace.bindings):
        for bound in trace.bindings[seq].values():
            first.setdefault(id(bound), seq)
    for call in calls:
        for name, value in trace.inputs[call].items():
            if not isinstance(value, Tensor) or first.get(id(value), call) < call:
                continue  # a tensor the call was handed, not one made in the statement
            for seq in sorted(seqs):
                if seq <= call or not runs_inside(trace, seq, call):
                    continue
                source = next(
                    (n for n, v in trace.bindings.get(seq, {}).items() if v is value),
                    None,
                )
                if source is not None and source.isidentifier() and source != name:
                    found[(call, name)] = (seq, source)
                    break
    return found


def runs_inside(trace: Trace, seq: int, call: int) -> bool:
    """Whether statement ``seq`` ran inside the call made by statement ``call``."""
    caller = trace.called_from.get(seq)
    while caller is not None:
        if caller == call:
            return True
        caller = trace.called_from.get(caller)
    return False


def written_lines(
    bound: dict[str, Value],
    lines: list[str | None],
    keep: Callable[[str, str], bool],
) -> tuple[dict[str, Value], list[str | None]]:
    """The bindings whose stand-in line could be written (and that ``keep`` accepts), with
    those lines, in order."""
    pairs = [
        (name, value, line)
        for (name, value), line in zip(bound.items(), lines, strict=True)
        if line is not None and keep(name, line)
    ]
    return {name: value for name, value, _ in pairs}, [line for _, _, line in pairs]


def unread_dropped(
    bound: dict[str, Value], lines: list[str | None], needed: set[str]
) -> tuple[dict[str, Value], list[str | None]]:
    """The bindings, with their lines, less those that have no line and that no statement
    of the slice reads."""
    pairs = [
        (name, value, line)
        for (name, value), line in zip(bound.items(), lines, strict=True)
        if line is not None or name in needed
    ]
    return {name: value for name, value, _ in pairs}, [line for _, _, line in pairs]
