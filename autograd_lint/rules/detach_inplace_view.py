"""AG012 detach-inplace-view: ``detach_()`` on a view, and a ``detach()`` whose result is lost."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.ancestry import ancestors_of
from autograd_lint.analysis.trace import DetachViewInplace, DiscardedDetach, Trace
from autograd_lint.analysis.witness_tensor_api import (
    DETACH_VIEW,
    witness_for_detach_view,
    witness_for_discarded_detach,
)
from autograd_lint.diagnostics import Diagnostic, Fix, Severity
from autograd_lint.rules._build import diagnostic, replace_node, short
from autograd_lint.rules.base import Rule


class DetachInplaceView(Rule):
    code = "AG012"
    name = "detach-inplace-view"
    summary = "`detach_()` on a view, or `h.detach()` as a statement whose result is lost."
    why = """
`detach_()` cuts a tensor from the graph in place, which torch cannot do for a view (a
slice, `view()`, `t()`, a chunk): the view shares its base's history, so torch raises
"Can't detach views in-place. Use detach() instead." The out-of-place `detach()` does
not change its receiver at all: it returns a new tensor. Written as a statement of its own
(`h.detach()`, typically meant to cut a recurrent state between batches) the result is
thrown away and `h` keeps its whole history: the next backward runs through every earlier
batch again (and fails on the freed graph, or silently grows in time and memory). That form
raises nothing; its witness shows `h` still has its `grad_fn` after the statement.
"""
    example = """
h = h[:, :hidden]
h.detach_()           # RuntimeError: a view
for batch in loader:
    out, h = rnn(batch, h)
    h.detach()        # does nothing: h keeps its history
"""
    use_instead = """
h = h[:, :hidden]
h = h.detach()
for batch in loader:
    out, h = rnn(batch, h)
    h = h.detach()
"""
    fix_note = """
`x.detach_()` and the lost `x.detach()` become `x = x.detach()` (for a statement on a name
or an attribute such as `self.h`). The fix is safe for `detach_()` on a view (torch's own
advice; the line fails without it) unless `x` is a loop target (rebinding it leaves the
container's tensors as they were), and offered, not applied, for the lost `detach()`:
there it changes which gradients flow, as intended but not yet tested by the author.
"""
    default_severity = Severity.ERROR
    valid = (
        "w = torch.randn(4, requires_grad=True)\nh = w * 2\nh.detach_()\n",
        "w = torch.randn(4, requires_grad=True)\nh = w * 2\nh = h.detach()\n",
        "w = torch.randn(4, requires_grad=True)\nv = (w * 2)[:2]\nv = v.detach()\n",
        "x = torch.randn(4)\ny = x * 2\ny.detach()\n",
        "w = torch.randn(4, requires_grad=True)\nv = (w * 2).detach()[:2]\nv = v.clone()\nv.detach_()\n",
    )
    invalid = (
        "w = torch.randn(4, requires_grad=True)\nv = (w * 2)[:2]\nv.detach_()\n",
        "w = torch.randn(2, 3, requires_grad=True)\nv = (w * 2).t()\nv.detach_()\n",
        "w = torch.randn(4, requires_grad=True)\nh = w * 2\nh.detach()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        for event in trace.of_type(DetachViewInplace):
            name = _name(trace, event.call)
            in_loop = _loop_target(trace, event.call)
            advice = (
                "use `.detach()` and store its result where the tensor is kept (rebinding "
                "the loop variable changes nothing)"
                if in_loop
                else f"use `{name} = {name}.detach()`"
                if _rebindable(event.call)
                else "use `.detach()` and keep its result"
            )
            yield diagnostic(
                trace,
                self.code,
                event.site,
                f"`{name}.detach_()` on a view: torch raises '{DETACH_VIEW}'; {advice}",
                Severity.ERROR,
                [(event.tensor.site, "the view is made here")],
                fixes=_rebind(trace, event.call, safe=not in_loop),
                witness=witness_for_detach_view(trace, event),
            )
        for lost in trace.of_type(DiscardedDetach):
            name = _name(trace, lost.call)
            advice = (
                f"write `{name} = {name}.detach()`"
                if _rebindable(lost.call)
                else "keep the result of `.detach()`"
            )
            yield diagnostic(
                trace,
                self.code,
                lost.site,
                f"the result of `{name}.detach()` is thrown away: `detach()` returns a new "
                f"tensor and `{name}` keeps its autograd history; {advice}",
                Severity.WARNING,
                [(lost.tensor.site, "its history starts here")],
                fixes=_rebind(trace, lost.call, safe=False),
                witness=witness_for_discarded_detach(trace, lost),
            )


def _name(trace: Trace, call: cst.Call) -> str:
    receiver = call.func.value if isinstance(call.func, cst.Attribute) else call
    return short(trace, receiver)


def _rebind(trace: Trace, call: cst.Call, *, safe: bool) -> tuple[Fix, ...]:
    """``x.detach_()`` / ``x.detach()`` as the whole statement -> ``x = x.detach()``."""
    statement = trace.owner.get(call)
    if not (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and statement.body[0].value is call
        and isinstance(call.func, cst.Attribute)
        and _assignable(call.func.value)
    ):
        return ()
    target = trace.code_of(call.func.value)
    return (
        replace_node(
            trace,
            call,
            f"{target} = {target}.detach()",
            f"Rebind: `{target} = {target}.detach()`",
            safe=safe,
        ),
    )


def _rebindable(call: cst.Call) -> bool:
    return isinstance(call.func, cst.Attribute) and _assignable(call.func.value)


def _assignable(node: cst.BaseExpression) -> bool:
    """A plain name or a chain of attributes on one (``h``, ``self.hidden``)."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


def _loop_target(trace: Trace, call: cst.Call) -> bool:
    """The receiver is the target of a ``for`` around the call: rebinding it detaches nothing
    the loop's container holds, so the fix is only offered there."""
    if not isinstance(call.func, cst.Attribute) or not isinstance(call.func.value, cst.Name):
        return False
    name = call.func.value.value
    for node in ancestors_of(trace.module, call) or []:
        if isinstance(node, cst.For) and any(
            isinstance(target, cst.Name) and target.value == name for target in _names(node.target)
        ):
            return True
    return False


def _names(target: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(target, cst.Tuple | cst.List):
        return [n for e in target.elements for n in _names(e.value)]
    return [target]
