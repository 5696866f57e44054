"""AG007 leaf-inplace: an in-place op on a leaf that requires grad, with grad mode on."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.trace import Backward, LeafInplace, Trace
from autograd_lint.analysis.values import Tri
from autograd_lint.analysis.witness_grad_facts import (
    LEAF_INPLACE,
    inplace_message,
    witness_for_leaf_inplace,
)
from autograd_lint.diagnostics import Diagnostic, Edit, Fix, Severity
from autograd_lint.rules._build import diagnostic, imports_torch, line_of
from autograd_lint.rules._local import in_this_file
from autograd_lint.rules.base import Rule


class InplaceOnLeaf(Rule):
    code = "AG007"
    name = "leaf-inplace"
    summary = "In-place op on a leaf tensor that requires grad, outside `torch.no_grad()`."
    why = """
A leaf that requires grad (a parameter, a tensor made with `requires_grad=True`) is where
gradients accumulate. With grad mode on, autograd refuses to record an in-place change to
it, or to a view of it, because the change would have to be part of the graph that
produces the leaf itself: torch raises "a leaf Variable that requires grad is being used in
an in-place operation." (or "a view of a leaf Variable ..."). A manual SGD step
`w -= lr * w.grad`, filling a parameter `w[0] = v` or `w.zero_()` all need grad mode off.
"""
    example = """
w = torch.randn(3, requires_grad=True)
loss = (w * x).sum()
loss.backward()
w -= 0.1 * w.grad           # RuntimeError
"""
    use_instead = """
w = torch.randn(3, requires_grad=True)
loss = (w * x).sum()
loss.backward()
with torch.no_grad():
    w -= 0.1 * w.grad
"""
    fix_note = """
Where the write is a statement of its own, what it writes carries no graph, and no backward
still to run saved the leaf, the fix puts it under `with torch.no_grad():` (applied by
`--fix`). Where what is written may carry a graph, the same rewrite is offered only: under
`no_grad` that gradient is dropped, and an out-of-place copy (`w = w.clone()`) may be meant.
"""
    default_severity = Severity.ERROR
    valid = (
        "w = torch.randn(3, requires_grad=True)\nwith torch.no_grad():\n    w.mul_(2)\n",
        "w = torch.randn(3, requires_grad=True)\nc = w.detach()\nc.zero_()\n",
        "x = torch.randn(3, requires_grad=True)\ny = x * 2\ny.add_(1)\n",
        "w = torch.randn(3)\nw.add_(1)\n",
    )
    invalid = (
        "w = torch.randn(3, requires_grad=True)\nw.add_(1)\n",
        "w = torch.randn(3, requires_grad=True)\nw[0] = 1.0\n",
        "w = torch.randn(3, requires_grad=True)\nw -= 0.1\n",
        "fc = nn.Linear(3, 1)\nfc.weight.zero_()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        for event in trace.of_type(LeafInplace):
            if event.grad_enabled is not True:
                continue
            yield self._diagnostic(trace, event)

    def _diagnostic(self, trace: Trace, event: LeafInplace) -> Diagnostic:
        leaf = event.leaf
        name = f"`{leaf.label}`" if leaf.label and not leaf.label.startswith(".") else "a leaf"
        kind = "a parameter" if leaf.is_param else "a leaf that requires grad"
        operation = {
            "setitem": "item assignment to",
            "augassign": "augmented assignment to",
        }.get(event.how, f"in-place `{event.method}()` on")
        target = name if not event.through_view or event.how == "setitem" else f"a view of {name}"
        viewed = event.through_view and event.how != "setitem"
        if name == "a leaf":  # no name to show: the kind alone says what it is
            described = f"a view of {kind}" if viewed else kind
        else:
            described = f"{target}, {kind}"
        message = inplace_message(event)
        raised = (
            f"'{message}'"
            if message is not None
            else f"'{LEAF_INPLACE}' (or its 'a view of a leaf Variable' form)"
        )
        fixes = _fixes(trace, event)
        advice = "; do it under `with torch.no_grad():`"
        if event.operands_require_grad is Tri.YES:
            advice = (
                "; what is written carries a graph: build a new tensor instead "
                f"(`{leaf.label or 'w'} = {leaf.label or 'w'}.clone()` first, or an out-of-place op)"
            )
        return diagnostic(
            trace,
            self.code,
            event.site,
            f"{operation} {described}, with grad mode on: torch raises {raised}{advice}",
            Severity.ERROR,
            [(leaf.site, "leaf created here")],
            fixes=fixes,
            witness=witness_for_leaf_inplace(trace, event),
        )


def _fixes(trace: Trace, event: LeafInplace) -> tuple[Fix, ...]:
    """The write alone under ``with torch.no_grad():``, where it is a statement of its own."""
    if event.operands_require_grad is Tri.YES or not imports_torch(trace):
        return ()
    if _saved_for_later_backward(trace, event):
        return ()
    statement = event.statement
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return ()
    if not in_this_file(trace, statement):
        return ()
    small = statement.body[0]
    whole = (
        (isinstance(small, cst.Expr) and small.value is event.site)
        or (
            isinstance(small, cst.Assign)
            and len(small.targets) == 1
            and small.targets[0].target is event.site
        )
        or (isinstance(small, cst.AugAssign) and small.target is event.site)
    )
    if not whole:
        return ()
    where = trace.range_of(small)
    indent = " " * where.start_col
    text = f"with torch.no_grad():\n{indent}    {trace.code_of(small).strip()}"
    return (
        Fix(
            f"Run the write under `torch.no_grad()` (line {line_of(trace, event.site)})",
            (Edit(where, text),),
            safe=event.operands_require_grad is Tri.NO,
        ),
    )


def _saved_for_later_backward(trace: Trace, event: LeafInplace) -> bool:
    """A backward after the write that needs the leaf's old value (a graph saved it before):
    under ``no_grad`` torch would then raise at that backward instead."""
    vc = event.target.vc
    for backward in trace.of_type(Backward):
        if backward.order < event.order:
            continue
        tensor = backward.tensor
        node = getattr(tensor, "node", None)
        if node is None:
            continue
        for graph in node.reachable():
            if any(s.tensor.vc == vc and s.order < event.order for s in graph.saved):
                return True
    return False
