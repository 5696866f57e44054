"""AG010 loss-accumulation: a loss that requires grad accumulated across loop iterations."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst
import libcst.matchers as m

from autograd_lint.analysis.trace import (
    Accumulation,
    Backward,
    BackwardCall,
    OptimizerStep,
    Trace,
)
from autograd_lint.analysis.values import Tensor
from autograd_lint.analysis.witness_training import witness_for_accumulation
from autograd_lint.diagnostics import Diagnostic, Fix, Severity
from autograd_lint.rules._build import (
    diagnostic,
    line_of,
    loop_header,
    replace_node,
    short,
)
from autograd_lint.rules.base import Rule

_PLAIN = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)


class LossAccumulation(Rule):
    code = "AG010"
    name = "loss-accumulation"
    summary = (
        "A tensor that requires grad accumulated across loop iterations keeps every graph alive."
    )
    why = """
`total_loss += loss` adds the loss *tensor*, graph and all: the sum is itself part of the
graph, so it keeps the graph of every iteration alive (the activations each one saved
for backward included) for as long as the sum lives. Memory grows with every step until
the process runs out of it. The same happens with `losses.append(loss)`, a dict of lists
of losses, and a meter object whose `update(val)` does `self.sum += val`. The value
accumulated is almost always meant for logging, where a plain number (or a detached
tensor) is all that is needed.

Loops that train (a backward or an optimizer step runs in their iterations) are checked,
and loops that draw batches of data without training (validation without
`torch.no_grad()`) where nothing backpropagates the sum: a sum of terms built in `forward`
is the loss being made. Accumulation that is
backpropagated on purpose (losses collected over an episode and
then backwarded together, `total.backward()` every k steps and `total` started again) is
not reported, nor is a list that is emptied once its losses are used.
"""
    example = """
total_loss = 0
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    total_loss += loss          # keeps every iteration's graph alive
"""
    use_instead = """
total_loss = 0
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    total_loss += loss.detach()  # or loss.item() for a Python number (a host sync)
"""
    fix_note = """
Offered, not applied by `--fix`: the value added becomes `<value>.detach()`, which keeps
the number on its device without waiting for it (`.item()` copies it to the host and
synchronises, fine for logging but slower in a hot loop). Not offered where the value
added is computed inside the callee (a meter's `self.sum += val * n`): detach the
argument in the call.
"""
    default_severity = Severity.WARNING
    valid = (
        "w = torch.randn(3, requires_grad=True)\ntotal = 0\nfor _ in range(3):\n"
        "    loss = (w * w).sum()\n    loss.backward()\n    total += loss.item()\n",
        "w = torch.randn(3, requires_grad=True)\ntotal = 0\nfor _ in range(3):\n"
        "    loss = (w * w).sum()\n    total += loss.detach()\n",
        "w = torch.randn(3, requires_grad=True)\nlosses = []\nfor _ in range(3):\n"
        "    losses.append((w * w).sum())\ntorch.stack(losses).sum().backward()\n",
    )
    invalid = (
        "w = torch.randn(3, requires_grad=True)\ntotal = 0\nfor _ in range(3):\n"
        "    loss = (w * w).sum()\n    loss.backward()\n    total += loss\n",
        "w = torch.randn(3, requires_grad=True)\nlosses = []\nfor _ in range(3):\n"
        "    loss = (w * w).sum()\n    loss.backward()\n    losses.append(loss)\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        events = [e for e in trace.of_type(Accumulation) if not e.cleared and e.loop is not None]
        if not events:
            return
        training = _training_loops(trace)
        unresolved = _UnresolvedBackwards(trace)
        for event in events:
            assert event.loop is not None and event.kept is not None
            if (
                (id(event.loop) not in training and not _evaluation_leak(trace, event))
                or _backpropagated_later(trace, event)
                or unresolved.may_reach(event)
            ):
                continue
            argument = event.argument
            if argument is not None:
                added = short(trace, argument)
                operand = added if isinstance(argument, _PLAIN) else f"({added})"
                subject = f"`{added}` requires grad and is accumulated"
                advice = f"accumulate `{operand}.detach()` (no host sync), or `{operand}.item()`"
            else:
                where = (
                    " (into state that outlives the iteration)" if event.call is not None else ""
                )
                subject = (
                    f"`{short(trace, event.site)}` accumulates a tensor that requires grad{where}"
                )
                advice = "keep a detached value instead (`.detach()`, no host sync), or `.item()`"
            yield diagnostic(
                trace,
                self.code,
                event.site,
                f"{subject} across the iterations of the loop at line "
                f"{line_of(trace, loop_header(event.loop))}: every iteration's autograd graph stays alive "
                f"and memory grows with each step; {advice} where the value is only logged",
                Severity.WARNING,
                [
                    (loop_header(event.loop), "the loop whose iterations it keeps"),
                    *_run_by(trace, event),
                ],
                fixes=_detach_fix(trace, argument),
                witness=witness_for_accumulation(trace, event),
            )


def _training_loops(trace: Trace) -> set[int]:
    """Loops that backpropagate or step an optimizer in their iterations. A sum built in a
    loop without either (the terms of one loss, added up in ``forward``) is the loss being
    made, not a value kept across training steps."""
    return {
        id(loop)
        for e in trace.events
        if isinstance(e, BackwardCall | OptimizerStep)
        for loop in e.loops
    }


def _run_by(trace: Trace, event: Accumulation) -> list[tuple[cst.CSTNode, str]]:
    """For a loop of another module that does not train: the call in this file that ran it
    (what it was handed is what makes it a loop over data, so the finding is this file's)."""
    if event.loop is None or not event.data_loop or id(event.loop) in _training_loops(trace):
        return []
    owner = trace.owner.get(event.site) if not isinstance(event.site, cst.BaseStatement) else None
    site = trace.foreign.get(owner if owner is not None else event.site)
    return [(site.call, "the call that runs it on batches of data")] if site is not None else []


def _evaluation_leak(trace: Trace, event: Accumulation) -> bool:
    """A loop that never trains but draws batches of data and adds up losses that require
    grad (validation without ``torch.no_grad()``): every batch's graph stays alive all the
    same. Reported only where the loop is seen with its callers and no backward anywhere
    is of something unknown (which could be the sum, backpropagated on purpose)."""
    if not (event.data_loop and event.whole):
        return False
    known = {
        id(e.site)
        for e in trace.events
        if isinstance(e, Backward) and isinstance(e.tensor, Tensor) and e.tensor.node is not None
    }
    return all(id(e.site) in known for e in trace.of_type(BackwardCall))


def _backpropagated_later(trace: Trace, event: Accumulation) -> bool:
    """A backward reaches the graphs of several iterations of what the loop collects: the
    losses were collected on purpose, to be backpropagated together. Either the very node
    kept (a backward run after the accumulation) or, where the loop ran in a function
    analysed on its own and the backward is its caller's, two or more nodes made where the
    kept one was made (one iteration's backward reaches only its own)."""
    kept = event.kept
    if kept is None:
        return False
    for other in trace.events:
        if not (
            isinstance(other, Backward)
            and isinstance(other.tensor, Tensor)
            and other.tensor.node is not None
        ):
            continue
        reached = other.tensor.node.reachable()
        if other.order > event.order and any(node is kept for node in reached):
            return True
        if sum(node.site is kept.site for node in reached) >= 2:
            return True
    return False


class _UnresolvedBackwards:
    """The backward calls of a trace whose tensor the analyzer does not know, and the
    functions of its module, gathered once per check."""

    def __init__(self, trace: Trace) -> None:
        known = {
            id(e.site)
            for e in trace.events
            if isinstance(e, Backward)
            and isinstance(e.tensor, Tensor)
            and e.tensor.node is not None
        }
        self._calls = [
            e for e in trace.events if isinstance(e, BackwardCall) and id(e.site) not in known
        ]
        self._module = trace.module
        self._functions: _Functions | None = None

    def may_reach(self, event: Accumulation) -> bool:
        """Whether one of them, run outside the loop, may be the one that backpropagates
        what the loop collected. For a loop inside a function only a backward that can see
        what it kept counts: one in that function, at module level, or in a function that
        calls it (by name); one in an unrelated function of the file does not hide the leak.
        For a loop at module level: one at module level, or in a function called there."""
        outside = [other for other in self._calls if event.loop not in other.loops]
        if not outside:
            return False
        if self._functions is None:
            self._functions = _Functions()
            self._module.visit(self._functions)
        functions = self._functions
        around = functions.around.get(id(event.loop))
        if around is None:
            return any(
                other.scope == "<module>" or functions.called(self._module, other.scope)
                for other in outside
            )
        name = around.name.value
        return any(
            other.scope in {"<module>", name} or functions.calls(other.scope, name)
            for other in outside
        )


class _Functions(cst.CSTVisitor):
    """The function definitions of a module by name, and the innermost one around each
    loop (loops at module level have none)."""

    def __init__(self) -> None:
        self._stack: list[cst.FunctionDef] = []
        self.around: dict[int, cst.FunctionDef] = {}
        self.by_name: dict[str, list[cst.FunctionDef]] = {}
        self._called: dict[tuple[int, str], bool] = {}

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._stack.append(node)
        self.by_name.setdefault(node.name.value, []).append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._stack.pop()

    def visit_For(self, node: cst.For) -> None:
        if self._stack:
            self.around[id(node)] = self._stack[-1]

    def visit_While(self, node: cst.While) -> None:
        if self._stack:
            self.around[id(node)] = self._stack[-1]

    def calls(self, scope: str, callee: str) -> bool:
        """Whether a function named ``scope`` calls ``callee`` (``callee(...)`` or
        ``x.callee(...)``): the function the loop is in may return to it."""
        return any(self.called(function, callee) for function in self.by_name.get(scope, ()))

    def called(self, where: cst.FunctionDef | cst.Module, callee: str) -> bool:
        """Whether ``callee(...)`` or ``x.callee(...)`` is called in ``where``."""
        key = (id(where), callee)
        if key not in self._called:
            body = where.body if isinstance(where, cst.FunctionDef) else where
            pattern = m.Call(func=m.Name(callee) | m.Attribute(attr=m.Name(callee)))
            self._called[key] = bool(m.findall(body, pattern))
        return self._called[key]


def _detach_fix(trace: Trace, argument: cst.BaseExpression | None) -> tuple[Fix, ...]:
    if argument is None:
        return ()
    text = trace.code_of(argument)
    if "\n" in text:
        return ()
    if not isinstance(argument, _PLAIN):
        text = f"({text})"
    return (
        replace_node(
            trace, argument, f"{text}.detach()", "Accumulate a detached value", safe=False
        ),
    )
