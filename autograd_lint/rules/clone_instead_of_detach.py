"""AG005 clone-instead-of-detach: ``.clone()`` where ``.detach()`` was meant."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.trace import CloneEscape, TensorFromTensor, Trace
from autograd_lint.analysis.witness import (
    witness_for_clone,
    witness_for_tensor_copy,
    witness_for_tensor_of_list,
)
from autograd_lint.diagnostics import Diagnostic, Fix, Severity
from autograd_lint.rules._build import diagnostic, replace_node, short
from autograd_lint.rules.base import Rule
from autograd_lint.rules.nonleaf_requires_grad import silenced_constructor_sites

_USES = {
    "loss-target": "as the target of a loss",
    "loss-target-from": "in the target of a loss (the target is computed from it)",
    "snapshot-list": "as a snapshot appended to a list",
    "snapshot-dict": "as a snapshot stored in a dict",
    "snapshot-attribute": "as a snapshot stored on an attribute",
    "snapshot-step": (
        "as a snapshot kept across an optimizer step: a backward through it sends gradient "
        "into the source as well"
    ),
    "numpy": "with `.numpy()` (torch raises: it still requires grad)",
}

_RELATED = {"snapshot-step": "backward through the snapshot here, after the step"}


class CloneInsteadOfDetach(Rule):
    code = "AG005"
    name = "clone-instead-of-detach"
    summary = "`.clone()` of a tensor that requires grad, used as a constant."
    why = """
`clone()` keeps the autograd history (`CloneBackward0`): the copy still requires grad,
keeps the whole graph alive, and lets gradients flow back into the source. Used as a loss
target it trains the target too; kept as a snapshot it holds the graph (and its memory)
for as long as the snapshot lives; a parameter's snapshot taken before an optimizer step
and used in a loss after it (a proximal or drift penalty) sends gradient into the
parameter through the snapshot too, cancelling part of the penalty; `.numpy()` on it
raises. `torch.tensor(t)` of a tensor copies without history but torch warns and
recommends `t.detach().clone()`; so does `x.new_tensor(t)`, and with `requires_grad=True`
either makes a new leaf that gradient reaches instead of `t`'s graph. `torch.tensor([a, b])`
of tensors that require grad keeps only their values: a loss built from it trains nothing
upstream (`torch.stack([a, b])` keeps their graphs).
"""
    example = """
target = teacher(x).clone()
loss = F.mse_loss(student(x), target)   # gradients also flow into the teacher
history.append(loss.clone())           # keeps every step's graph alive
"""
    use_instead = """
target = teacher(x).detach().clone()
loss = F.mse_loss(student(x), target)
history.append(loss.detach().clone())
"""
    fix_note = (
        "`.clone()` becomes `.detach().clone()`; `torch.tensor(t)` becomes `t.detach().clone()`. "
        "None for `new_tensor`, `requires_grad=` copies and lists of tensors (the message says "
        "what keeps the graph)."
    )
    default_severity = Severity.WARNING
    valid = (
        "w = torch.randn(3, requires_grad=True)\nsnap = w.detach().clone()\nhistory = []\nhistory.append(snap)\n",
        "w = torch.randn(3, requires_grad=True)\nsnap = w.clone().detach()\nhistory = []\nhistory.append(snap)\n",
        "w = torch.randn(3, requires_grad=True)\nx = w.clone()\nx[0] = 0\nloss = (x * 2).sum()\n",
        "w = torch.randn(3, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "anchor = w.detach().clone()\n(w * 2).sum().backward()\nopt.step()\n"
        "((w - anchor) ** 2).sum().backward()\n",
    )
    invalid = (
        "w = torch.randn(3, requires_grad=True)\np = w * 2\nloss = F.mse_loss(p, w.clone())\n",
        "w = torch.randn(3, requires_grad=True)\nhistory = []\nhistory.append(w.clone())\n",
        "w = torch.randn(3, requires_grad=True)\na = w.clone().numpy()\n",
        "w = torch.randn(3, requires_grad=True)\nt = torch.tensor(w)\n",
        "w = torch.randn(3, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "anchor = w.clone()\n(w * 2).sum().backward()\nopt.step()\n"
        "((w - anchor) ** 2).sum().backward()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        reported: set[int] = set()
        for event in trace.of_type(CloneEscape):
            clone = event.tensor.clone_site
            if clone is None or id(clone) in reported:
                continue
            reported.add(id(clone))
            source = event.tensor.label or short(trace, clone)
            yield diagnostic(
                trace,
                self.code,
                clone,
                f"`.clone()` keeps the autograd history (CloneBackward0) and `{source}` is used "
                f"{_USES[event.how]}; use `.detach().clone()` for a constant copy",
                Severity.WARNING,
                [(event.site, _RELATED.get(event.how, "used as a constant here"))],
                fixes=_clone_fix(trace, clone),
                witness=witness_for_clone(trace, event),
            )
        rebuilt = silenced_constructor_sites(trace)  # AG008's: a cut loss made a new leaf
        for copy in trace.of_type(TensorFromTensor):
            site = copy.site
            fixes: tuple[Fix, ...] = ()
            if copy.keeps_flag and id(site) in rebuilt:
                continue
            if copy.of_list or copy.copier != "torch.tensor" or copy.keeps_flag:
                yield diagnostic(
                    trace,
                    self.code,
                    site,
                    _copy_message(copy),
                    Severity.WARNING,
                    witness=witness_for_tensor_of_list(trace, copy)
                    if copy.of_list
                    else witness_for_tensor_copy(trace, copy),
                )
                continue
            if isinstance(site, cst.Call) and len(site.args) == 1:
                argument = trace.code_of(copy.argument)
                if not isinstance(
                    copy.argument, cst.Name | cst.Attribute | cst.Call | cst.Subscript
                ):
                    argument = f"({argument})"
                fixes = (
                    replace_node(
                        trace,
                        site,
                        f"{argument}.detach().clone()",
                        "Use `.detach().clone()`",
                        safe=True,
                    ),
                )
            yield diagnostic(
                trace,
                self.code,
                site,
                "`torch.tensor()` of a tensor copies it with a warning from torch; use `.detach().clone()`",
                Severity.WARNING,
                witness=witness_for_tensor_copy(trace, copy),
                fixes=fixes,
            )


def _copy_message(copy: TensorFromTensor) -> str:
    """The copy-constructs with no safe rewrite: a list of tensors (``torch.stack`` keeps
    their graphs but needs equal shapes), ``new_tensor`` (its dtype and device are the
    receiver's) and a copy that asks for ``requires_grad=`` (a new leaf either way)."""
    if copy.of_list:
        return (
            "`torch.tensor()` of tensors that require grad keeps their values and drops "
            "their graphs; use `torch.stack(...)` to keep them, or detach them on purpose"
        )
    return (
        f"`{copy.copier}()` of a tensor copies it into a new leaf with no graph (torch "
        "warns); use `.detach().clone()` for a copy, or the tensor itself to keep its graph"
    )


def _clone_fix(trace: Trace, clone: cst.CSTNode) -> tuple[Fix, ...]:
    if not isinstance(clone, cst.Call) or not isinstance(clone.func, cst.Attribute):
        return ()
    receiver = trace.code_of(clone.func.value)
    return (
        replace_node(
            trace, clone, f"{receiver}.detach().clone()", "Use `.detach().clone()`", safe=True
        ),
    )
