"""Findings the program never reaches as written: an earlier statement surely raises first.

A finding can be true and still latent: in the tensorwatch SmoothGrad loop the second
backward would go through a freed graph, but before it runs, `inp.requires_grad = True`
on a non-leaf raises, and the program stops there. A witness cut for the second backward
alone reproduces its error, and calling that a confirmation would claim the program fails
where it does not (yet). Its verdict says instead which statement stops the program first.

A raise counts only where the analysis is sure of it: an error torch always gives (a
``requires_grad`` flag set on a non-leaf, AG008's first form), on a statement that runs
whenever its function does (no ``if``, ``while`` or ``try`` around it there), in a function
whose every call on the way down was such a statement too.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.trace import RequiresGradSet, Trace
from autograd_lint.analysis.values import Tri

_CONDITIONAL = (cst.If, cst.While, cst.Try, cst.TryStar, cst.Match)


def raises_on_flag(event: RequiresGradSet) -> bool:
    """``t.requires_grad = ...`` or ``t.requires_grad_(False)`` on a tensor surely a non-leaf
    that requires grad: torch raises "you can only change requires_grad flags of leaf
    variables"."""
    target = event.target
    nonleaf = target.is_leaf is Tri.NO and target.requires_grad is Tri.YES
    return nonleaf and (event.how == "assign" or event.flag is Tri.NO)


class _Unconditional(cst.CSTVisitor):
    """The simple statements of a module that run whenever their function (or the module)
    does: none of ``if``/``while``/``try``/``match`` between them and it."""

    def __init__(self) -> None:
        self.found: set[int] = set()
        self._depth = [0]

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._depth.append(0)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._depth.pop()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _CONDITIONAL):
            self._depth[-1] += 1
        if isinstance(node, cst.SimpleStatementLine) and self._depth[-1] == 0:
            self.found.add(id(node))
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, _CONDITIONAL):
            self._depth[-1] -= 1
        super().on_leave(original_node)


def _surely_runs(trace: Trace, seq: int, unconditional: set[int]) -> bool:
    """Whether statement ``seq`` and each call that led to it ran unconditionally."""
    current: int | None = seq
    while current is not None:
        entry = trace.statements.get(current)
        if entry is None or id(entry[0]) not in unconditional:
            return False
        current = trace.called_from.get(current)
    return True


def stopped_before(trace: Trace, seq: int) -> str | None:
    """Where the program surely stops before statement ``seq`` runs, in the user's terms
    (``line 16 (`inp.requires_grad = True`) raises first: ...``); ``None`` where nothing
    earlier is known to stop it."""
    earlier = [
        event
        for event in trace.events
        if isinstance(event, RequiresGradSet) and event.seq < seq and raises_on_flag(event)
    ]
    if not earlier:
        return None
    visitor = _Unconditional()
    trace.module.visit(visitor)
    for event in sorted(earlier, key=lambda e: e.seq):
        if _surely_runs(trace, event.seq, visitor.found):
            statement = trace.code_of(event.statement).strip().splitlines()[0]
            line = trace.range_of(event.statement).start_line
            return (
                f"the program stops earlier: line {line} (`{statement}`) raises 'you can only "
                "change requires_grad flags of leaf variables' (AG008) before this runs"
            )
    return None
