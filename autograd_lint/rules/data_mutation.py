"""AG001 data-mutation: writing through ``.data``."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.trace import DataWrite, Trace
from autograd_lint.analysis.values import Tri
from autograd_lint.analysis.witness import witness_for_data_write
from autograd_lint.diagnostics import Diagnostic, Edit, Fix, Severity
from autograd_lint.rules._build import diagnostic, imports_torch, line_of, short
from autograd_lint.rules.base import Rule


class DataMutation(Rule):
    code = "AG001"
    name = "data-mutation"
    summary = "Writing through `.data` hides the change from autograd."
    why = """
`.data` returns a tensor that shares storage with the original but not its version
counter. Autograd cannot see a write through it: a backward that still needs the old
value (because an op saved the tensor) silently computes a wrong gradient instead of
raising an error. Even when no backward is pending, `.data` is a legacy idiom; the
supported way to update a tensor without recording the update is `torch.no_grad()`.
"""
    example = """
w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
w.data.mul_(10)      # w.grad below is computed from the new values
y.backward()
"""
    use_instead = """
w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
y.backward()
with torch.no_grad():
    w.mul_(10)
"""
    fix_note = """
`w.data.<op>_(...)`, `w.data[...] = v` and `w.data -= v` become the same write on `w`
inside `with torch.no_grad():` (applied by `--fix`). `w.data = v` becomes
`w.copy_(v)` inside `torch.no_grad()`; that fix is only offered, because `v` may have
another shape.
"""
    default_severity = Severity.WARNING
    valid = (
        "w = torch.randn(3, requires_grad=True)\nn = w.data.norm()\n",
        "m = torch.zeros(3)\nm.data.add_(1)\n",
        "w = torch.randn(3, requires_grad=True)\nwith torch.no_grad():\n    w.mul_(10)\n",
    )
    invalid = (
        "w = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\nw.data.mul_(10)\ny.backward()\n",
        "w = torch.randn(3, requires_grad=True)\nw.data = torch.zeros(3)\n",
        "w = torch.randn(3, requires_grad=True)\nw.data[0] = 1.0\n",
        "w = torch.randn(3, requires_grad=True)\nw.data -= 0.1\n",
        "w = torch.randn(3, requires_grad=True)\nd = w.data\nd.zero_()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        for event in trace.of_type(DataWrite):
            target = event.target
            known_tracked = (
                target.requires_grad is Tri.YES or target.is_param or target.node is not None
            )
            if not known_tracked:
                if target.requires_grad is Tri.UNKNOWN and not event.via_name:
                    yield diagnostic(
                        trace,
                        self.code,
                        event.site,
                        f"write through `.data` of {_name(trace, event)}: autograd will not see it "
                        "(whether it requires grad is unknown)",
                        Severity.PREVIEW,
                    )
                continue
            related: list[tuple[cst.CSTNode | None, str]] = [(target.site, "tensor created here")]
            if event.silently_stale and event.stale_backward is not None:
                backward = event.stale_backward
                saved_at = next((s.saved.site for s in backward.stale if s.write is event), None)
                related = [(saved_at, "saved for backward here"), (backward.site, "backward here")]
                message = (
                    f"{_what(event)} changes {_name(trace, event)} behind autograd's back: the backward "
                    f"at line {line_of(trace, backward.site)} uses the saved value and computes a "
                    "silently wrong gradient"
                )
                severity = Severity.ERROR
            else:
                message = (
                    f"{_what(event)} on {_name(trace, event)} is invisible to autograd; "
                    "update it inside `with torch.no_grad():` instead"
                )
                severity = Severity.WARNING
            yield diagnostic(
                trace,
                self.code,
                event.site,
                message,
                severity,
                related,
                fixes=_fixes(trace, event),
                witness=witness_for_data_write(trace, event),
            )


def _name(trace: Trace, event: DataWrite) -> str:
    label = event.target.label
    # a layer's parameter reached through a loop (``for p in ...``) is known by no name
    if label.startswith(".") and event.receiver_name is not None:
        return f"`{event.receiver_name}`"
    return f"`{label}`" if label else "a tensor that requires grad"


def _what(event: DataWrite) -> str:
    if event.how == "assign":
        return "assigning `.data`"
    if event.how == "setitem":
        return "item assignment through `.data`"
    if event.how == "augassign":
        return "augmented assignment through `.data`"
    return (
        f"`.data.{event.method}()`"
        if not event.via_name
        else f"`{event.method}()` on a `.data` alias"
    )


def _fixes(trace: Trace, event: DataWrite) -> tuple[Fix, ...]:
    """Rewrite the write onto the tensor itself, inside ``torch.no_grad()``."""
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
        title = f"Use `{short(trace, data_attr.value)}.copy_(...)` under `torch.no_grad()`"
    else:
        replaced = small.deep_replace(data_attr, data_attr.value)
        assert isinstance(replaced, cst.CSTNode)
        new_code = cst.Module(body=[]).code_for_node(replaced)
        safe = True
        title = "Write under `torch.no_grad()` instead of through `.data`"
    start = trace.range_of(small)
    indent = " " * start.start_col
    text = f"with torch.no_grad():\n{indent}    {new_code.strip()}"
    return (Fix(title, (Edit(start, text),), safe=safe),)


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
