"""AG013 legacy-data-write: any other write through ``.data`` of a tensor that requires grad."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.trace import DataWrite, Trace
from autograd_lint.analysis.values import Tri
from autograd_lint.analysis.witness import witness_for_data_write
from autograd_lint.diagnostics import Diagnostic, Edit, Fix, Severity
from autograd_lint.rules._build import diagnostic, imports_torch, short
from autograd_lint.rules.base import Rule
from autograd_lint.rules.data_mutation import needed_by_autograd, target_name, write_description


class LegacyDataWrite(Rule):
    code = "AG013"
    name = "legacy-data-write"
    summary = "A write through `.data` where `torch.no_grad()` is the supported way."
    why = """
Writing through `.data` is the legacy way to change a tensor that requires grad without
recording the change: a parameter update after `backward()`, an initialisation, a
projection. Where no pending backward saved the old value and the new value carries no
graph, the result is right today (AG001 reports the writes where it is not), but `.data`
hides the write from every check autograd makes: the version counter does not move, so
if the code around it changes, a wrong gradient is silent instead of an error.
Off by default; turn it on with `extend-select = ["AG013"]` (or `select = ["AG"]`).
"""
    example = """
loss.backward()
for p in model.parameters():
    p.data.add_(p.grad, alpha=-lr)
"""
    use_instead = """
loss.backward()
with torch.no_grad():
    for p in model.parameters():
        p.add_(p.grad, alpha=-lr)
"""
    fix_note = """
Where grad mode is already off (inside `@torch.no_grad()` or a `with torch.no_grad():`
block) the fix drops `.data`. Elsewhere the write moves under `with torch.no_grad():`.
`w.data = v` becomes `w.copy_(v)` only as a suggestion: `copy_` keeps `w`'s shape, dtype
and device, which `v` may not share.
"""
    default_severity = Severity.WARNING
    default_enabled = False
    valid = (
        "w = torch.randn(3, requires_grad=True)\nn = w.data.norm()\n",
        "m = torch.zeros(3)\nm.data.add_(1)\n",
        "w = torch.randn(3, requires_grad=True)\nwith torch.no_grad():\n    w.mul_(10)\n",
    )
    invalid = (
        "w = torch.randn(3, requires_grad=True)\nw.data = torch.zeros(3)\n",
        "w = torch.randn(3, requires_grad=True)\nw.data[0] = 1.0\n",
        "w = torch.randn(3, requires_grad=True)\nw.data -= 0.1\n",
        "w = torch.randn(3, requires_grad=True)\nd = w.data\nd.zero_()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        for event in trace.of_type(DataWrite):
            if needed_by_autograd(event) is not None:
                continue  # AG001's
            target = event.target
            tracked = target.requires_grad is Tri.YES or target.is_param or target.node is not None
            if not tracked:
                if target.requires_grad is Tri.UNKNOWN and not event.via_name:
                    yield diagnostic(
                        trace,
                        self.code,
                        event.site,
                        f"write through `.data` of {target_name(trace, event)}: autograd will not see it "
                        "(whether it requires grad is unknown)",
                        Severity.PREVIEW,
                    )
                continue
            if event.grad_enabled is False:
                advice = "grad mode is already off here: write to the tensor itself"
            else:
                advice = "update it inside `with torch.no_grad():` instead"
            yield diagnostic(
                trace,
                self.code,
                event.site,
                f"{write_description(event)} on {target_name(trace, event)} is invisible to autograd; {advice}",
                Severity.WARNING,
                [(target.site, "tensor created here")],
                fixes=_fixes(trace, event),
                witness=witness_for_data_write(trace, event),
            )


def _fixes(trace: Trace, event: DataWrite) -> tuple[Fix, ...]:
    """The same write on the tensor itself: as it is where grad mode is off, else inside
    ``torch.no_grad()``."""
    if event.via_name or not imports_torch(trace):
        return ()
    statement = event.statement
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return ()
    small = statement.body[0]
    data_attr = _data_attribute(small)
    if data_attr is None:
        return ()
    if event.how == "assign":
        assert isinstance(small, cst.Assign)
        new_code = f"{trace.code_of(data_attr.value)}.copy_({trace.code_of(small.value)})"
        safe = False
        title = f"Use `{short(trace, data_attr.value)}.copy_(...)`"
    else:
        replaced = small.deep_replace(data_attr, data_attr.value)
        assert isinstance(replaced, cst.CSTNode)
        new_code = cst.Module(body=[]).code_for_node(replaced)
        safe = True
        title = "Write to the tensor itself instead of through `.data`"
    start = trace.range_of(small)
    if event.grad_enabled is False:
        return (Fix(title, (Edit(start, new_code.strip()),), safe=safe),)
    indent = " " * start.start_col
    text = f"with torch.no_grad():\n{indent}    {new_code.strip()}"
    return (Fix(f"{title} under `torch.no_grad()`", (Edit(start, text),), safe=safe),)


def _data_attribute(small: cst.BaseSmallStatement) -> cst.Attribute | None:
    """The ``x.data`` node a direct ``.data`` write goes through."""
    node: cst.BaseExpression | None = None
    if (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and isinstance(small.value.func, cst.Attribute)
    ):
        node = small.value.func.value
    elif isinstance(small, cst.Assign) and len(small.targets) == 1:
        target = small.targets[0].target
        node = (
            target
            if isinstance(target, cst.Attribute)
            else target.value
            if isinstance(target, cst.Subscript)
            else None
        )
    elif isinstance(small, cst.AugAssign):
        node = small.target
        if isinstance(node, cst.Subscript):
            node = node.value
    if isinstance(node, cst.Attribute) and node.attr.value == "data":
        return node
    return None
