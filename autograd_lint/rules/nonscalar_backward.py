"""AG009 nonscalar-backward: backward without ``gradient=`` on a tensor of several elements."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.element_count import gradient_given, surely_not_one
from autograd_lint.analysis.trace import Backward, Trace
from autograd_lint.analysis.values import ElementCount, Tensor, Tri
from autograd_lint.analysis.witness_tensor_api import IMPLICIT_SCALAR, witness_for_nonscalar
from autograd_lint.diagnostics import Diagnostic, Edit, Fix, Severity
from autograd_lint.rules._build import diagnostic, imports_torch, short
from autograd_lint.rules.base import Rule


class NonscalarBackward(Rule):
    code = "AG009"
    name = "nonscalar-backward"
    summary = "`backward()` without `gradient=` on a tensor that is not a single element."
    why = """
`t.backward()` (and `torch.autograd.backward(t)`, `torch.autograd.grad(t, ...)` without
`grad_outputs`) can only create the starting gradient itself when `t` has exactly one
element; for anything else torch raises "grad can be implicitly created only for scalar
outputs". It happens when a reduction is forgotten: a loss built with `reduction="none"`,
the raw output of a layer, a difference of two batches. What the backward should start
from depends on what was meant: usually the sum or the mean of the elements.
"""
    example = """
criterion = nn.CrossEntropyLoss(reduction="none")
loss = criterion(model(x), y)     # one loss per sample
loss.backward()                   # RuntimeError
"""
    use_instead = """
criterion = nn.CrossEntropyLoss(reduction="none")
loss = criterion(model(x), y)
loss.mean().backward()            # or loss.backward(gradient=torch.ones_like(loss))
"""
    fix_note = """
Two fixes are offered, neither applied automatically (they differ in scale, and only the
author knows which was meant): reduce first (`t.sum().backward()`), or pass the gradient
(`t.backward(gradient=torch.ones_like(t))`, the same as the sum). Only tensors whose element
count is known to be other than one are reported: literal shapes, a `Linear` with
`out_features` other than 1, `reduction="none"` losses, and what elementwise ops make of
them; where a shape is exact, what reductions along a dimension, reshapes, indexing with
known indices and `Linear` / `Conv` layers of known sizes make of it. A per-element loss
whose batch could be a single sample is reported as a warning.
"""
    default_severity = Severity.ERROR
    valid = (
        "w = torch.randn(3, requires_grad=True)\nloss = (w * 2).sum()\nloss.backward()\n",
        "w = torch.randn(3, requires_grad=True)\n(w * 2).mean().backward()\n",
        "w = torch.randn(3, requires_grad=True)\ny = w * 2\ny.backward(torch.ones_like(y))\n",
        "w = torch.randn(3, requires_grad=True)\ny = w * 2\ny.backward(gradient=torch.ones(3))\n",
        "w = torch.randn(3, requires_grad=True)\ny = w * 2\ny[0].backward()\n",
        "w = torch.randn(1, requires_grad=True)\n(w * 2).backward()\n",
        "fc = nn.Linear(4, 3)\nF.mse_loss(fc(torch.randn(2, 4)), torch.randn(2, 3)).backward()\n",
        "def step(out):\n    out.backward()\n",
    )
    invalid = (
        "w = torch.randn(3, requires_grad=True)\ny = w * 2\ny.backward()\n",
        "w = torch.randn(4, 3, requires_grad=True)\ntorch.autograd.grad(w.exp(), w)\n",
        "fc = nn.Linear(4, 5)\nout = fc(x)\nout.backward()\n",
        "model = nn.Linear(4, 1)\nloss = F.mse_loss(model(x), y, reduction='none')\nloss.backward()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        for event in trace.of_type(Backward):
            tensor = event.tensor
            if not isinstance(tensor, Tensor) or tensor.requires_grad is not Tri.YES:
                continue  # AG003's: torch fails first on the missing grad_fn
            count = tensor.elements
            if count is None or gradient_given(event.call, event.api):
                continue
            surely = surely_not_one(count)
            if not surely and count.unreduced is None:
                continue
            name = f"`{tensor.label}`" if tensor.label else f"`{short(trace, tensor.site)}`"
            why = _describe(count, surely)
            related = [
                (tensor.site, "made here"),
                (count.unreduced, "the reduction is turned off here"),
            ]
            yield diagnostic(
                trace,
                self.code,
                event.site,
                f"{_api(event)} without a gradient on {name}, {why}; torch raises "
                f"'{IMPLICIT_SCALAR}': reduce it first (`.sum()` or `.mean()`) or pass "
                "`gradient=torch.ones_like(...)`",
                Severity.ERROR if surely else Severity.WARNING,
                related,
                fixes=_fixes(trace, event),
                witness=witness_for_nonscalar(trace, event),
            )


def _api(event: Backward) -> str:
    return {"method": "backward()", "autograd.backward": "torch.autograd.backward()"}.get(
        event.api, "torch.autograd.grad()"
    )


def _describe(count: ElementCount, surely: bool) -> str:
    if surely and count.unreduced is not None:
        return f"{count.reason} of several elements"
    if surely:
        return (
            f"which has {count.reason}"
            if count.reason.startswith("shape")
            else (f"which is not a single element ({count.reason})")
        )
    return f"{count.reason}, which has one element only for a batch of one"


def _fixes(trace: Trace, event: Backward) -> tuple[Fix, ...]:
    """``t.sum().backward()`` and ``t.backward(gradient=torch.ones_like(t))`` for the method
    form with no arguments at all; offered only (they are not the same as ``mean``)."""
    call = event.call
    if event.api != "method" or call.args or not isinstance(call.func, cst.Attribute):
        return ()
    receiver = call.func.value
    text = trace.code_of(receiver)
    if not isinstance(
        receiver, cst.Name | cst.Attribute | cst.Call | cst.Subscript
    ) and not getattr(receiver, "lpar", ()):
        text = f"({text})"
    fixes = [
        Fix(
            title="Reduce with `.sum()` before the backward",
            edits=(Edit(trace.range_of(call), f"{text}.sum().backward()"),),
            safe=False,
        )
    ]
    if imports_torch(trace) and isinstance(receiver, cst.Name | cst.Attribute):
        fixes.append(
            Fix(
                title="Pass `gradient=torch.ones_like(...)`",
                edits=(
                    Edit(
                        trace.range_of(call),
                        f"{text}.backward(gradient=torch.ones_like({text}))",
                    ),
                ),
                safe=False,
            )
        )
    return tuple(fixes)
