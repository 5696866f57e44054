"""AG008 nonleaf-requires-grad: ``requires_grad`` set on a non-leaf, or turned on for a loss
that was cut from its graph."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.ancestry import ancestors_of
from autograd_lint.analysis.trace import (
    Backward,
    GradRead,
    OptimizerStep,
    RequiresGradSet,
    Trace,
)
from autograd_lint.analysis.values import Tensor, Tri
from autograd_lint.analysis.witness_grad_facts import (
    NONLEAF_REQUIRES_GRAD,
    witness_for_cut_loss,
    witness_for_nonleaf_flag,
)
from autograd_lint.diagnostics import Diagnostic, Severity
from autograd_lint.rules._build import diagnostic, line_of
from autograd_lint.rules.base import Rule


class NonleafRequiresGrad(Rule):
    code = "AG008"
    name = "nonleaf-requires-grad"
    summary = "`requires_grad` set on a non-leaf, or on a loss cut from its graph."
    why = """
Only a leaf has a `requires_grad` flag of its own; a non-leaf (the result of an op on a
tensor that requires grad) inherits it from its graph. Setting `t.requires_grad = ...` on a
non-leaf, or `t.requires_grad_(False)`, raises "you can only change requires_grad flags of
leaf variables". The opposite mistake is silent: a loss rebuilt from `.item()`, `.detach()`
or `.data` (or computed under `no_grad`) has no graph, and `loss.requires_grad = True`
makes `loss.backward()` run without the error torch would otherwise give, while the
gradient reaches the loss alone: no parameter of the model gets one, and nothing trains.
The same holds for a model's outputs rebuilt one by one as new leaves
(`[p.detach().requires_grad_() for p in preds]`) when the loss reaches nothing else and
no code reads their gradients.
"""
    example = """
loss = torch.tensor(criterion(model(x), y).item())   # the graph is gone
loss.requires_grad = True                            # silences the error...
loss.backward()                                      # ...and trains nothing
"""
    use_instead = """
loss = criterion(model(x), y)
loss.backward()
"""
    fix_note = "No automatic fix: the message names where the graph was cut."
    default_severity = Severity.ERROR
    valid = (
        "w = torch.randn(3)\nw.requires_grad = True\n(w * 2).sum().backward()\n",
        "x = torch.randn(3, requires_grad=True)\nx_adv = x.detach()\nx_adv.requires_grad_()\n(x_adv * 2).sum().backward()\n",
        "x = torch.randn(3, requires_grad=True)\ny = x * 2\ny.requires_grad_()\n",
    )
    invalid = (
        "x = torch.randn(3, requires_grad=True)\ny = x * 2\ny.requires_grad = False\n",
        "x = torch.randn(3, requires_grad=True)\ny = x * 2\ny.requires_grad_(False)\n",
        "w = torch.randn(3, requires_grad=True)\nloss = (w * 2).sum().detach()\nloss.requires_grad = True\nloss.backward()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        backwards = trace.of_type(Backward)
        flags = trace.of_type(RequiresGradSet)
        rebuilt = _rebuilt_leaves(trace, flags)
        outputs = cut_outputs(trace, flags)
        for event in flags:
            target = event.target
            raises = target.is_leaf is Tri.NO and target.requires_grad is Tri.YES
            if raises and (event.how == "assign" or event.flag is Tri.NO):
                yield self._nonleaf(trace, event)
                continue
            backward = _silenced_backward(event, backwards, rebuilt, outputs)
            if backward is not None:
                yield self._cut_loss(trace, event, backward)

    def _nonleaf(self, trace: Trace, event: RequiresGradSet) -> Diagnostic:
        target = event.target
        name = f"`{target.label}`" if target.label else "this tensor"
        spelled = "`requires_grad = ...`" if event.how == "assign" else "`requires_grad_(False)`"
        advice = (
            "use `.detach()` for a copy without history"
            if event.flag is Tri.NO
            else "it already requires grad through its graph: drop the assignment"
        )
        return diagnostic(
            trace,
            self.code,
            event.site,
            f"{spelled} on {name}, which is not a leaf (made at line {line_of(trace, target.site)}): "
            f"torch raises '{NONLEAF_REQUIRES_GRAD}'; {advice}",
            Severity.ERROR,
            [(target.site, "non-leaf made here")],
            witness=witness_for_nonleaf_flag(trace, event),
        )

    def _cut_loss(self, trace: Trace, event: RequiresGradSet, backward: Backward) -> Diagnostic:
        target = event.target
        assert target.cut_site is not None
        name = f"`{target.label}`" if target.label else "the tensor"
        spelled = {
            "assign": "`requires_grad = True`",
            "method": "`requires_grad_()`",
            "constructor": "`requires_grad=True`",
        }[event.how]
        return diagnostic(
            trace,
            self.code,
            event.site,
            f"{spelled} on {name}, which was cut from its graph at line "
            f"{line_of(trace, target.cut_site)} by {target.cut_reason}: the backward at line "
            f"{line_of(trace, backward.site)} runs but reaches no parameter; compute the loss "
            "without the cut instead",
            Severity.ERROR,
            [
                (target.cut_site, f"graph cut here by {target.cut_reason}"),
                (backward.site, "backward here"),
            ],
            witness=witness_for_cut_loss(trace, event, backward),
        )


def _silenced_backward(
    event: RequiresGradSet,
    backwards: list[Backward],
    rebuilt: frozenset[int],
    outputs: frozenset[int] = frozenset(),
) -> Backward | None:
    """The backward run on the very tensor whose flag was turned on after a cut, or on a
    result whose graph reaches that tensor and no leaf but the ``rebuilt`` ones (the
    storages of such tensors): ``(l1 + 0.05 * l2).backward()`` of two rebuilt losses; or,
    seen with everything that runs after it, no leaf but those and the cut ``outputs``
    (:func:`cut_outputs`): ``sum(mse(p, t) for p, t in zip(rebuilt_preds, ys)).backward()``."""
    target, result = event.target, event.result
    if event.flag is not Tri.YES or result is None or target.cut_site is None:
        return None
    if target.requires_grad is not Tri.NO or target.is_leaf is not Tri.YES:
        return None
    for backward in backwards:
        tensor = backward.tensor
        if backward.order < event.order or not isinstance(tensor, Tensor):
            continue
        if tensor.requires_grad is not Tri.YES:
            continue
        if tensor.storage == result.storage and tensor.is_leaf is Tri.YES and tensor.node is None:
            return backward
        leaves = tensor.node.leaves if tensor.node is not None else None
        if leaves is None or result.storage not in leaves:
            continue
        if leaves <= rebuilt:
            return backward
        if backward.whole and backward.api != "autograd.grad" and leaves <= rebuilt | outputs:
            return backward
    return None


def cut_outputs(trace: Trace, events: list[RequiresGradSet]) -> frozenset[int]:
    """The storages of the leaves made by ``requires_grad_()`` (or ``requires_grad = True``)
    on a ``detach()``ed copy of a computed tensor (a non-leaf that required grad, a model's
    output), each the element of a comprehension, ``[p.detach().requires_grad_() for p in
    preds]``, whose gradient nothing reads: no ``.grad`` read of them, no optimizer that may
    hold them. A backward that reaches only such leaves gives the model no gradient; one
    whose caller may read the leaves' gradients (a function analysed alone, a two-stage
    backward that hands ``p.grad`` on) or ``autograd.grad`` on them is left alone."""
    read = {e.tensor.storage for e in trace.of_type(GradRead)}
    held: set[int] = set()
    for step in trace.of_type(OptimizerStep):
        if step.optimizer is None or step.optimizer.params is None:
            return frozenset()  # an optimizer of unknown parameters may hold them
        held.update(p.storage for p in step.optimizer.params)
    found: set[int] = set()
    for event in events:
        target, result = event.target, event.result
        if result is None or event.flag is not Tri.YES or event.how == "constructor":
            continue
        source = target.alias_of if target.alias_kind == "detach" else None
        if (
            source is None
            or source.requires_grad is not Tri.YES
            or source.is_leaf is not Tri.NO
            or target.requires_grad is not Tri.NO
            or result.storage in read
            or result.storage in held
        ):
            continue
        if _comprehension_element(trace, event.site):
            found.add(result.storage)
    return frozenset(found)


def _comprehension_element(trace: Trace, site: cst.CSTNode) -> bool:
    """``site`` is the element expression of a list, set or generator comprehension."""
    statement = trace.owner.get(site)
    ancestors = ancestors_of(statement, site) if statement is not None else None
    if not ancestors:
        return False
    parent = ancestors[-1]
    return isinstance(parent, cst.ListComp | cst.GeneratorExp | cst.SetComp) and parent.elt is site


def _rebuilt_leaves(trace: Trace, events: list[RequiresGradSet]) -> frozenset[int]:
    """The storages of the leaves a constructor made with ``requires_grad=True`` out of
    values cut from a graph, and handed straight to an op without a name
    (``torch.tensor([l1, l2], requires_grad=True).sum()``): nothing can read their
    gradient or give them to an optimizer, so a backward that reaches only them trains
    nothing. A named one may be an input on purpose (``s = Variable(s.data,
    requires_grad=True)`` whose ``s.grad`` is read after)."""
    return frozenset(
        event.result.storage
        for event in events
        if event.result is not None
        and event.how == "constructor"
        and event.flag is Tri.YES
        and event.target.cut_site is not None
        and event.target.requires_grad is Tri.NO
        and event.target.is_leaf is Tri.YES
        and _operand_of_an_op(trace, event.site)
    )


def _operand_of_an_op(trace: Trace, site: cst.CSTNode) -> bool:
    """``site`` is the receiver of a method call or an operand of an operator, in this file."""
    ancestors = ancestors_of(trace.module, site)
    if not ancestors:
        return False
    parent = ancestors[-1]
    if isinstance(parent, cst.Attribute):
        return parent.value is site and len(ancestors) > 1 and isinstance(ancestors[-2], cst.Call)
    return isinstance(parent, cst.BinaryOperation | cst.UnaryOperation)


def silenced_constructor_sites(trace: Trace) -> set[int]:
    """The sites (``id``) of ``requires_grad=True`` constructors this rule reports: a new
    leaf made from values cut from a graph whose backward then runs. Another rule that sees
    the same copy (AG005's copy-construct) leaves those to this one."""
    backwards = trace.of_type(Backward)
    flags = trace.of_type(RequiresGradSet)
    rebuilt = _rebuilt_leaves(trace, flags)
    return {
        id(event.site)
        for event in flags
        if event.how == "constructor" and _silenced_backward(event, backwards, rebuilt)
    }
