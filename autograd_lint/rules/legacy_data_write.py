"""AG013 legacy-data-write: any other write through ``.data`` of a tensor that requires grad."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import libcst as cst

from autograd_lint.analysis.trace import DataWrite, Trace
from autograd_lint.analysis.values import Tri
from autograd_lint.analysis.witness import witness_for_data_write
from autograd_lint.cells import split_lines
from autograd_lint.diagnostics import Diagnostic, Edit, Fix, Range, Severity
from autograd_lint.rules._build import diagnostic, imports_torch, short
from autograd_lint.rules.base import Rule
from autograd_lint.rules.data_mutation import (
    chained_writes,
    needed_by_autograd,
    target_name,
    write_description,
)


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
The rule is static: the program computes the right result today, so there is nothing for
a replay to show; findings carry no witness, the runtime check gives them no verdict, and
`--confirmed-only` leaves them out (counted as "no witness"). Off by default; turn it on with `extend-select = ["AG013"]` (or `select = ["AG"]`).
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
block) the fix drops `.data`. Elsewhere the write moves under `with torch.no_grad():`, one
block around a run of consecutive writes. `w.data = v` becomes `w.copy_(v)` only where `v`
surely has `w`'s shape, dtype and device (`torch.zeros_like(w)`, `w.clamp(0, 1)`,
`w * 0.5`); otherwise the rewrite is display-only: `copy_` keeps `w`'s shape, dtype and
device, which `v` may not share (a new layer's weights on another dtype would raise).
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
        reported: list[DataWrite] = []
        for event in trace.of_type(DataWrite):
            if needed_by_autograd(event, trace) is not None:
                continue  # AG001's
            target = event.target
            # a parameter made with ``requires_grad=False`` (an EMA buffer kept as one) is
            # no tensor autograd tracks: its ``.data`` write hides nothing
            tracked = (
                target.requires_grad is Tri.YES
                or (target.is_param and target.requires_grad is not Tri.NO)
                or target.node is not None
            )
            if tracked:
                reported.append(event)
            elif target.requires_grad is Tri.UNKNOWN and not event.via_name:
                yield diagnostic(
                    trace,
                    self.code,
                    event.site,
                    f"write through `.data` of {target_name(trace, event)}: autograd will not see it "
                    "(whether it requires grad is unknown)",
                    Severity.PREVIEW,
                )
        # a fill of a graph non-leaf (AG001 leaves it here when no backward is seen): under
        # ``no_grad`` a backward through an op that saved its output would raise, not err
        # silently, so no rewrite is offered
        chained = chained_writes(reported)
        reported = [event for event in reported if id(event) not in chained]
        fixes = _fixes_by_event(trace, [e for e in reported if not _graph_nonleaf(e)])
        for event in reported:
            if event.grad_enabled is False:
                advice = (
                    "grad mode is already off here: drop `.data` and write to the tensor itself"
                )
            else:
                advice = "update it inside `with torch.no_grad():` instead"
            yield diagnostic(
                trace,
                self.code,
                event.site,
                f"{write_description(event)} on {target_name(trace, event)} is invisible to autograd; {advice}",
                Severity.WARNING,
                [(event.target.site, "tensor created here")],
                fixes=fixes.get(id(event), ()),
                witness=witness_for_data_write(trace, event),
            )


def _graph_nonleaf(event: DataWrite) -> bool:
    target = event.target
    return target.is_leaf is Tri.NO and target.requires_grad is Tri.YES and target.node is not None


@dataclass(frozen=True)
class _Rewrite:
    """One write rewritten onto the tensor itself (without ``.data``)."""

    small: cst.BaseSmallStatement
    code: str
    title: str
    known_equal: bool
    """False for ``w.data = v`` where ``v`` may differ from ``w`` in shape, dtype or device:
    ``copy_`` would then raise or convert, so the rewrite is only a suggestion."""


def _rewrite(trace: Trace, event: DataWrite) -> _Rewrite | None:
    """The write on the tensor itself, for a one-statement line written directly on ``.data``."""
    if event.via_name or not imports_torch(trace):
        return None
    statement = event.statement
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    data_attr = _data_attribute(small)
    if data_attr is None:
        return None
    if event.how == "assign":
        assert isinstance(small, cst.Assign)
        target = trace.code_of(data_attr.value)
        code = f"{target}.copy_({trace.code_of(small.value)})"
        title = f"Use `{short(trace, data_attr.value)}.copy_(...)`"
        return _Rewrite(small, code, title, _same_layout(trace, data_attr.value, small.value))
    replaced = small.deep_replace(data_attr, data_attr.value)
    assert isinstance(replaced, cst.CSTNode)
    code = cst.Module(body=[]).code_for_node(replaced).strip()
    return _Rewrite(small, code, "Write to the tensor itself instead of through `.data`", True)


_LIKE_FACTORIES = frozenset(
    {"zeros_like", "ones_like", "empty_like", "rand_like", "randn_like", "full_like"}
)
_LAYOUT_KEYWORDS = frozenset({"dtype", "device", "layout", "memory_format"})
_SAME_LAYOUT_METHODS = frozenset(
    {"clone", "clamp", "clamp_min", "clamp_max", "neg", "abs", "sign", "sqrt", "exp", "tanh"}
)


def _same_layout(trace: Trace, target: cst.BaseExpression, value: cst.BaseExpression) -> bool:
    """Whether ``value`` surely has ``target``'s shape, dtype and device.

    Only forms built from ``target`` itself qualify: ``torch.zeros_like(w)`` (no dtype or
    device given), ``w.data.clone()``, ``w.clamp(...)``, ``w * 0.5``. Anything else (a new
    tensor, another tensor, a value of unknown origin) may differ, and ``copy_`` would then
    broadcast, convert or raise where ``w.data = v`` replaced the tensor.
    """
    wanted = trace.code_of(target)

    def is_target(node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Attribute) and node.attr.value == "data":
            node = node.value
        return trace.code_of(node) == wanted

    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
        func = value.func
        method = func.attr.value
        if method in _LIKE_FACTORIES and trace.code_of(func.value) == "torch":
            return (
                bool(value.args)
                and value.args[0].keyword is None
                and is_target(value.args[0].value)
                and not any(
                    a.keyword is not None and a.keyword.value in _LAYOUT_KEYWORDS
                    for a in value.args
                )
            )
        if method in _SAME_LAYOUT_METHODS and is_target(func.value):
            return all(_is_number(a.value) for a in value.args)
    if isinstance(value, cst.BinaryOperation) and not isinstance(
        value.operator, cst.MatrixMultiply
    ):
        left, right = value.left, value.right
        return (is_target(left) and _is_float(right)) or (_is_float(left) and is_target(right))
    return False


def _is_number(node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    return isinstance(node, (cst.Integer, cst.Float))


def _is_float(node: cst.BaseExpression) -> bool:
    """A float literal: combined with a float tensor it keeps the tensor's dtype."""
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        node = node.expression
    return isinstance(node, cst.Float)


def _single_fix(trace: Trace, event: DataWrite, rewrite: _Rewrite) -> Fix:
    """The rewrite as it stands where grad mode is off, else under its own ``no_grad`` block."""
    span = trace.range_of(rewrite.small)
    title = rewrite.title
    text = rewrite.code
    if event.grad_enabled is not False:
        indent = " " * span.start_col
        title = f"{title} under `torch.no_grad()`"
        text = f"with torch.no_grad():\n{indent}    {rewrite.code}"
    if rewrite.known_equal:
        return Fix(title, (Edit(span, text),), safe=True)
    return Fix(title, (Edit(span, text),), safe=False, display_only=True)


def _run_fix(trace: Trace, run: list[_Rewrite]) -> Fix:
    """One ``with torch.no_grad():`` around a run of consecutive writes."""
    first = trace.range_of(run[0].small)
    last = trace.range_of(run[-1].small)
    indent = " " * first.start_col
    body = "".join(f"\n{indent}    {rewrite.code}" for rewrite in run)
    span = Range(first.start_line, first.start_col, last.end_line, last.end_col)
    title = f"Write to the tensors themselves under one `torch.no_grad()` ({len(run)} writes)"
    return Fix(title, (Edit(span, f"with torch.no_grad():{body}"),), safe=True)


def _fixes_by_event(trace: Trace, events: list[DataWrite]) -> dict[int, tuple[Fix, ...]]:
    """Each reported write's fix; consecutive grad-mode writes share one ``with`` block.

    A run is a sequence of sibling one-line statements, nothing but line breaks and
    indentation between them (a comment or ``# noqa`` in between ends the run, so that no
    text the user wrote is moved or lost), each rewritable without doubt.
    """
    rewrites = {id(e): r for e in events if (r := _rewrite(trace, e)) is not None}
    fixes: dict[int, tuple[Fix, ...]] = {
        id(e): (_single_fix(trace, e, rewrites[id(e)]),) for e in events if id(e) in rewrites
    }
    joinable = [
        e
        for e in events
        if id(e) in rewrites and e.grad_enabled is not False and rewrites[id(e)].known_equal
    ]
    joinable.sort(key=lambda e: trace.range_of(rewrites[id(e)].small).start_line)
    runs: list[list[DataWrite]] = []
    for event in joinable:
        if runs and _follows(trace, rewrites[id(runs[-1][-1])].small, rewrites[id(event)].small):
            runs[-1].append(event)
        else:
            runs.append([event])
    for run in runs:
        if len(run) > 1:
            shared = _run_fix(trace, [rewrites[id(e)] for e in run])
            for event in run:
                fixes[id(event)] = (shared,)
    return fixes


def _follows(trace: Trace, before: cst.BaseSmallStatement, after: cst.BaseSmallStatement) -> bool:
    """``after`` is the next line of ``before``, at the same indentation, nothing between."""
    a = trace.range_of(before)
    b = trace.range_of(after)
    if b.start_line != a.end_line + 1 or b.start_col != a.start_col:
        return False
    lines = split_lines(trace.source)
    if b.start_line > len(lines):
        return False
    after_first = lines[a.end_line - 1][a.end_col :]
    before_next = lines[b.start_line - 1][: b.start_col]
    return after_first.strip() == "" and before_next.strip() == ""


def _is_inplace_name(method: str) -> bool:
    """``mul_``, ``add_``, ``clamp_``: torch's in-place methods end in one underscore."""
    return method.endswith("_") and not method.startswith("_")


def _data_attribute(small: cst.BaseSmallStatement) -> cst.Attribute | None:
    """The ``x.data`` node a direct ``.data`` write goes through."""
    node: cst.BaseExpression | None = None
    if (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and isinstance(small.value.func, cst.Attribute)
    ):
        node = small.value.func.value
        # ``w.data.mul_(d).add_(x)``: an in-place call returns its receiver, so the chain
        # writes ``w`` throughout; its ``.data`` is under the first call
        while (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and _is_inplace_name(node.func.attr.value)
        ):
            node = node.func.value
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
