"""AG002 detached-alias-inplace: an in-place op on an alias of a tensor saved for backward."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.trace import Backward, DataWrite, InplaceWrite, StaleSave, Trace
from autograd_lint.analysis.values import Tensor
from autograd_lint.analysis.witness import MODIFIED_SAVED as MESSAGE
from autograd_lint.analysis.witness import witness_for_stale
from autograd_lint.diagnostics import Diagnostic, Fix, Severity
from autograd_lint.rules._build import diagnostic, line_of, replace_node, short
from autograd_lint.rules.base import Rule


class DetachedAliasInplace(Rule):
    code = "AG002"
    name = "detached-alias-inplace"
    summary = "In-place op on a tensor (or an alias of it) that a pending backward saved."
    why = """
`detach()` and views share storage and the version counter with the original tensor.
Modifying the alias in place bumps the counter, and the backward that saved the original
(sigmoid, tanh, exp, relu and softmax save their output; mul, matmul, pow and div save
their inputs) fails with "one of the variables needed for gradient computation has been
modified by an inplace operation". Through `.data` the same write is not detected at all:
the gradient is silently wrong.
"""
    example = """
out = torch.sigmoid(x @ w)
c = out.detach()
c.zero_()                # out was saved by sigmoid
out.sum().backward()     # RuntimeError
"""
    use_instead = """
out = torch.sigmoid(x @ w)
c = out.detach().clone() # a copy with its own storage
c.zero_()
out.sum().backward()
"""
    fix_note = "`out.detach()` becomes `out.detach().clone()` (quick fix, applied by `--fix`)."
    default_severity = Severity.ERROR
    valid = (
        "x = torch.randn(3, requires_grad=True)\nout = torch.sigmoid(x)\nc = out.detach().clone()\nc.zero_()\nout.sum().backward()\n",
        "x = torch.randn(3, requires_grad=True)\nout = torch.sigmoid(x)\nout.sum().backward()\nc = out.detach()\nc.zero_()\n",
        "a = torch.randn(3, requires_grad=True)\nb = torch.randn(3)\nout = a + b\nc = out.detach()\nc.zero_()\nout.sum().backward()\n",
    )
    invalid = (
        "x = torch.randn(3, requires_grad=True)\nout = torch.sigmoid(x)\nc = out.detach()\nc.zero_()\nout.sum().backward()\n",
        "x = torch.randn(3, requires_grad=True)\nout = torch.tanh(x)\nc = out.detach()\nc[0] = 1.0\nout.sum().backward()\n",
        "x = torch.randn(3, requires_grad=True)\nout = torch.exp(x)\nv = out[0]\nv += 1\nout.sum().backward()\n",
        "w = torch.randn(3, requires_grad=True)\nh = torch.randn(3)\ny = (h * w).sum()\nh.mul_(2)\ny.backward()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        reported: set[int] = set()
        for backward in trace.of_type(Backward):
            for stale in backward.stale:
                write = stale.write
                if id(write.site) in reported:
                    continue
                if isinstance(write, DataWrite) and not write.via_name:
                    continue  # a direct `t.data.op_()` write is AG001's
                reported.add(id(write.site))
                yield self._diagnostic(trace, backward, stale)

    def _diagnostic(self, trace: Trace, backward: Backward, stale: StaleSave) -> Diagnostic:
        write = stale.write
        saved = stale.saved
        target = write.target
        saved_name = f"`{saved.tensor.label}`" if saved.tensor.label else "a tensor"
        saved_by = f"saved by `{stale.node.op}` at line {line_of(trace, saved.site)}"
        backward_line = line_of(trace, backward.site)
        if isinstance(write, DataWrite):
            message = (
                f"in-place write through a `.data` alias of {saved_name} ({saved_by}): autograd cannot "
                f"see it and the backward at line {backward_line} computes a silently wrong gradient"
            )
        elif isinstance(write, InplaceWrite) and write.how == "optimizer":
            message = (
                f"`step()` updates {saved_name} in place after it was {saved_by}; the backward at line "
                f"{backward_line} will raise '{MESSAGE}'"
            )
        else:
            how = _how(write, target)
            message = f"{how} after {saved_name} was {saved_by}; the backward at line {backward_line} will raise '{MESSAGE}'"
        related: list[tuple[cst.CSTNode | None, str]] = [(saved.site, "saved for backward here")]
        if target.alias_of is not None:
            related.append((target.site, "aliased here"))
        related.append((backward.site, "backward here"))
        return diagnostic(
            trace,
            self.code,
            write.site,
            message,
            Severity.ERROR,
            related,
            fixes=_fixes(trace, target),
            witness=witness_for_stale(trace, backward, stale),
        )


def _how(write: InplaceWrite | DataWrite, target: Tensor) -> str:
    name = f"`{target.label}`" if target.label else "a tensor"
    operation = {"setitem": "item assignment to", "augassign": "augmented assignment to"}.get(
        write.how
    )
    operation = operation or f"in-place `{write.method}()` on"
    if target.alias_kind == "detach":
        return f"{operation} {name}, which shares storage and version counter with the original (`.detach()`),"
    if target.alias_kind == "view":
        return f"{operation} {name}, a view of the original,"
    return f"{operation} {name}"


def _fixes(trace: Trace, target: Tensor) -> tuple[Fix, ...]:
    """``x.detach()`` -> ``x.detach().clone()`` where the alias was made by ``detach()``."""
    site = target.site
    if target.alias_kind != "detach" or not isinstance(site, cst.Call):
        return ()
    code = trace.code_of(site)
    return (
        replace_node(
            trace,
            site,
            f"{code}.clone()",
            f"Copy instead of aliasing: `{short(trace, site)}.clone()`",
            safe=True,
        ),
    )
