"""AG001's evidence: the gradient the ``.data`` write changes, not the version counter.

That a write through ``.data`` leaves the version counter alone is always true and proves
nothing about the user's program. What does is the gradient: the program as written, and the
same program with the write done as the tracked operation it stands for (``c.data[0] = ...``
as ``c[0] = ...``), give an upstream leaf different gradients, because only the tracked
write is part of the graph. (A write whose stale value a later backward reads is already
proven by running with and without it; see ``witness._silent_gradient``.)

A write into a parameter inside ``forward`` (``self.weight.data *= self.mask``) is the same
claim for a leaf: the parameter's gradient misses the op. Its tracked form cannot be the
in-place op (torch refuses that on a leaf that requires grad), so it is the out-of-place
one, rebinding the name (``self_weight = self_weight * self_mask``); the parameter is held
under a second name whose gradient both scripts observe.
"""

from __future__ import annotations

import re

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis import shapes
from autograd_lint.analysis.trace import Backward, DataWrite, Trace
from autograd_lint.analysis.values import Tensor, Tri
from autograd_lint.analysis.witness import _backward_seqs, _leaf_with_grad, _script
from autograd_lint.analysis.witness_names import _known_constants, _render_expression
from autograd_lint.analysis.witness_render import SliceBuilder
from autograd_lint.analysis.witness_stand_ins import LAYER_TENSOR, _fill_placeholders, flattened
from autograd_lint.diagnostics import Expectation, Witness

_DATA = re.compile(r"\.data\b(?!_)")


def _backward_after(trace: Trace, event: DataWrite) -> Backward | None:
    """The first later backward whose loss was computed from the written tensor."""
    origin = set(event.target.prov)
    for other in trace.events:
        if other.seq <= event.seq or not isinstance(other, Backward):
            continue
        if origin & set(getattr(other.tensor, "prov", ())):
            return other
    return None


def tracked_form(script: str) -> str | None:
    """``script`` with its one ``.data`` line written as the tracked operation, or ``None``
    where the script does not have exactly one such line to rewrite."""
    lines = script.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if _DATA.search(line)]
    if len(found) != 1:
        return None
    lines[found[0]] = _DATA.sub("", lines[found[0]])
    return "".join(lines)


def witness_for_tracked_write(trace: Trace, event: DataWrite) -> Witness | None:
    """For a ``.data`` write into a tensor in the graph (not a leaf): the gradient of a leaf
    upstream of it with the write, against the same program with the write tracked."""
    target = event.target
    if event.silently_stale or not isinstance(target, Tensor) or target.is_leaf is not Tri.NO:
        return None
    backward = _backward_after(trace, event)
    if backward is None:
        return None
    leaf = _leaf_with_grad(trace, set(target.prov))
    seqs = set(target.prov) | set(event.prov) | {event.seq} | _backward_seqs(backward)
    script = _script(trace, seqs, frozenset({event.seq, backward.seq}))
    if leaf is None or script is None:
        return None
    control = tracked_form(script)
    if control is None:
        return None
    return Witness(
        script,
        Expectation(kind="differs", observe=f"{leaf}.grad", control_script=control),
        f"the gradient of `{leaf}` differs between the `.data` write and the same write "
        "done as a tracked operation",
    )


PARAMETER = "parameter"
"""The second name the forward-write witness holds the written parameter under."""


def _out_of_place(write: str, name: str) -> str | None:
    """The tracked, out-of-place form of a one-line ``.data`` write into ``name``:
    ``name.data *= m`` as ``name = name * m``, ``name.data = f(name.data)`` as
    ``name = f(name)``, ``name.data.mul_(m)`` as ``name = name.mul(m)``; ``None`` for any
    other shape of line."""
    try:
        statement = cst.parse_statement(write)
    except cst.ParserSyntaxError:
        return None
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    code = cst.Module(body=[]).code_for_node
    receiver = f"{name}.data"

    def plain(node: cst.CSTNode) -> str:
        return _DATA.sub("", " ".join(code(node).split()))

    if isinstance(small, cst.AugAssign) and code(small.target) == receiver:
        operator = code(small.operator).strip().removesuffix("=").strip()
        return f"{name} = {name} {operator} ({plain(small.value)})"
    if (
        isinstance(small, cst.Assign)
        and len(small.targets) == 1
        and code(small.targets[0].target) == receiver
    ):
        return f"{name} = {plain(small.value)}"
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        func = small.value.func
        if isinstance(func, cst.Attribute) and code(func.value) == receiver:
            twin = ops.INPLACE_TWINS.get(func.attr.value)
            if twin is None:
                return None
            args = ", ".join(plain(arg) for arg in small.value.args)
            return f"{name} = {name}.{twin}({args})"
    return None


def _keyword_values(line: str) -> set[str]:
    """Names a line passes only as a keyword argument's value (``maxnorm=self_max_norm``):
    the scalar settings of an op, which a stand-in tensor would not be."""
    keyword = set(re.findall(r"\b\w+\s*=\s*(\w+)\s*[,)]", line))
    elsewhere = set(re.findall(r"\w+", re.sub(r"\b\w+\s*=\s*\w+\s*(?=[,)])", "", line)))
    return {name for name in keyword - elsewhere if name.isidentifier()}


def _forward_write_of_parameter(event: DataWrite) -> bool:
    """A direct ``p.data`` write, inside ``forward`` with grad on, into a leaf parameter
    (or leaf that requires grad) no pending backward saved: AG001's ``forward`` case."""
    target = event.target
    return (
        not event.silently_stale
        and not event.via_name
        and event.in_forward
        and event.grad_enabled is not False
        and target.is_leaf is Tri.YES
        and (target.requires_grad is Tri.YES or target.is_param)
    )


def _written_tensor(statement: cst.SimpleStatementLine) -> cst.BaseExpression | None:
    """``p`` of the one ``p.data`` a write statement writes through: its assignment target
    (``p.data = v``, ``p.data *= m``) or the receiver of its in-place call."""
    if len(statement.body) != 1:
        return None
    small = statement.body[0]
    written: cst.BaseExpression | None = None
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        written = small.targets[0].target
    elif isinstance(small, cst.AugAssign):
        written = small.target
    elif (
        isinstance(small, cst.Expr)
        and isinstance(small.value, cst.Call)
        and isinstance(small.value.func, cst.Attribute)
    ):
        written = small.value.func.value
    if isinstance(written, cst.Attribute) and written.attr.value == "data":
        return written.value
    return None


def witness_for_forward_write(trace: Trace, event: DataWrite) -> Witness | None:
    """The write as written, then a loss of the parameter (standing for the rest of the
    forward, whose use of it does not change the claim); against the same script with the
    write done out of place: the parameter's gradient differs where the op had a gradient
    other than the identity."""
    if not trace.want_witnesses or not _forward_write_of_parameter(event):
        return None
    statement = trace.statements[event.seq][0]
    assert isinstance(statement, cst.SimpleStatementLine)
    written = _written_tensor(statement)
    name = _render_expression(trace, written) if written is not None else ""
    chain = name
    if LAYER_TENSOR.fullmatch(name):  # ``self.conv1.weight.data = ...``: a parameter
        name = name.replace(".", "_")
    if not name.isidentifier():
        return None
    builder = SliceBuilder(trace)
    rendered = builder._statement(statement, set(), event.seq)
    write = " ".join(rendered.split()) if rendered is not None else None
    if write is not None and chain != name:
        write = flattened(write, chain)
    tracked = _out_of_place(write, name) if write is not None else None
    if write is None or tracked is None:
        return None
    if not re.search(rf"(?<![\w.]){re.escape(name)}\b", tracked.split(" = ", 1)[1]):
        return None  # a value made apart from the parameter: tracked, it has no path to it
    body = [
        f"{name} = {shapes.PLACEHOLDER_PREFIX}leaf__",
        f"{PARAMETER} = {name}",
        write,
        f"{name}.sum().backward()",
    ]
    free = builder._free_names("\n".join(body), {name, PARAMETER})
    if free is None or PARAMETER in free:
        return None
    constants = _known_constants(trace)
    numbers = _keyword_values(write) - set(constants)
    preamble = [
        f"{free_name} = {constants[free_name]!r}"
        if free_name in constants
        else f"{free_name} = 1.0  # stand-in for a number the slice never defines"
        if free_name in numbers
        else f"{free_name} = {shapes.PLACEHOLDER_PREFIX}free__"
        for free_name in sorted(free)
    ]
    lines = _fill_placeholders([*preamble, *body])
    control = [tracked if line == write else line for line in lines]
    imports = builder._imports()
    return Witness(
        "\n".join([*imports, *lines]) + "\n",
        Expectation(
            kind="differs",
            observe=f"{PARAMETER}.grad",
            control_script="\n".join([*imports, *control]) + "\n",
        ),
        f"the gradient of `{name}` differs between the `.data` write and the same write "
        "done out of place, as a tracked operation",
    )
