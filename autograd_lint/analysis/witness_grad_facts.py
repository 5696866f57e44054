"""Witnesses for findings about a tensor's own flags: a ``.grad`` read of a non-leaf (AG006),
an in-place write on a leaf (AG007), a ``requires_grad`` change on a non-leaf or on a loss
cut from its graph (AG008).

Each is the provenance slice of the tensor involved, cut as every other witness is (see
``witness.py``), with the observation the finding rests on: torch's warning, torch's error,
or a parameter left without a gradient.
"""

from __future__ import annotations

import re

import libcst as cst

from autograd_lint.analysis.trace import Backward, GradRead, LeafInplace, RequiresGradSet, Trace
from autograd_lint.analysis.values import NNModule, Tensor, Tri, provenance
from autograd_lint.analysis.witness import latest_backward_from
from autograd_lint.analysis.witness_names import _name_in_script
from autograd_lint.analysis.witness_render import SliceBuilder
from autograd_lint.diagnostics import Expectation, Witness

NONLEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward()."
)
LEAF_INPLACE = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_OF_LEAF_INPLACE = (
    "a view of a leaf Variable that requires grad is being used in an in-place operation."
)
NONLEAF_REQUIRES_GRAD = "you can only change requires_grad flags of leaf variables."
"""torch's warning and error texts (their first sentences) for AG006, AG007 and AG008."""


def inplace_message(event: LeafInplace) -> str | None:
    """The error torch raises for this write; ``None`` where the index form does not say
    which of the two. torch indexes ``w[:]``, ``w[0:]``, ``w[...]`` (every slice covering
    its dimension) as ``w`` itself, an integer index or a slice with a step other than 1 as a
    view, a tensor or list index with ``index_put_`` on ``w``; a bounded slice may or may not
    cover its dimension."""
    if event.how != "setitem":
        return VIEW_OF_LEAF_INPLACE if event.through_view else LEAF_INPLACE
    site = event.site
    if event.target is not event.leaf:
        return VIEW_OF_LEAF_INPLACE
    if not isinstance(site, cst.Subscript):
        return None
    view = False
    for element in site.slice:
        index = element.slice
        if isinstance(index, cst.Index):
            value = index.value
            if isinstance(value, cst.Integer) or (
                isinstance(value, cst.UnaryOperation) and isinstance(value.expression, cst.Integer)
            ):
                view = True
            elif not isinstance(value, cst.Ellipsis):
                return None  # a tensor or list index (``index_put_``) or unknown
        elif not isinstance(index, cst.Slice):
            return None
        elif _literal_int(index.step) not in (None, 1):
            view = True  # ``E[:, 0::2]``: strided, a view whatever the bounds
        elif (
            index.upper is not None
            or (index.lower is not None and _literal_int(index.lower) != 0)
            or (index.step is not None and _literal_int(index.step) != 1)
        ):
            return None  # ``w[0:n]`` is ``w`` itself when n is its length: unknown here
    return VIEW_OF_LEAF_INPLACE if view else LEAF_INPLACE


def _literal_int(node: cst.BaseExpression | None) -> int | None:
    """The value of a non-negative integer literal (``None`` for anything else)."""
    return int(node.value, 0) if isinstance(node, cst.Integer) else None


def _render(
    trace: Trace,
    seqs: set[int],
    essential: frozenset[int],
    overrides: dict[int, cst.SimpleStatementLine] | None = None,
) -> str | None:
    if not trace.want_witnesses:
        return None
    builder = SliceBuilder(trace)
    builder.overrides = overrides or {}
    script = builder.render(seqs, essential)
    if script is None or _reaches_into_models(script, builder):
        return None
    return script


def _reaches_into_models(script: str, builder: SliceBuilder) -> bool:
    """``model.proj.bias`` written as in the file: the user's own modules are never built in
    a witness, so such a script cannot run (and would be refused)."""
    return any(re.search(rf"\b{re.escape(name)}\.", script) for name in builder.models)


def witness_for_grad_read(trace: Trace, event: GradRead) -> Witness | None:
    """The slice that makes the tensor, then a read of its ``.grad``: torch warns."""
    name = _name_in_script(event.tensor)
    if name is None:
        return None
    # a stand-in for the tensor keeps its facts (a non-leaf stands in as a layer's output)
    script = _render(trace, set(event.tensor.prov), frozenset())
    if script is None:
        return None
    return Witness(
        f"{script}observed_grad = {name}.grad\n",
        Expectation(kind="warns", message=NONLEAF_GRAD),
        f"`{name}` is not a leaf: torch warns that its `.grad` is not populated",
    )


def witness_for_leaf_inplace(trace: Trace, event: LeafInplace) -> Witness | None:
    """The slice that makes the leaf, then the write; where that cannot be rendered, the
    same write as another run of its statement saw it (a function called with literal
    sizes, rather than run alone with unknown ones)."""
    message = inplace_message(event)
    if message is None:
        return None
    runs = [event] + [
        other
        for other in trace.events
        if isinstance(other, LeafInplace)
        and other.site is event.site
        and other is not event
        and inplace_message(other) == message
    ]
    for run in runs:
        witness = _leaf_inplace_witness(trace, run, message)
        if witness is not None:
            return witness
    return None


def _leaf_inplace_witness(trace: Trace, event: LeafInplace, message: str) -> Witness | None:
    seqs = set(event.target.prov) | set(event.leaf.prov) | {event.seq}
    if ".grad" in trace.code_of(event.statement):
        filled = _backward_before(trace, event)
        if filled is None:
            return None  # the write reads a gradient no backward in the slice gives
        seqs |= set(getattr(filled.tensor, "prov", ())) | {filled.seq}
    binders = _binders(trace, event.statement, event.seq)
    description = "an in-place operation on a leaf that requires grad"
    script = _render(trace, seqs | binders, frozenset({event.seq}))
    written = _with_zero_written(event)
    if script is None and written is not None:
        # ``E[:, 0::2] = torch.FloatTensor(np.sin(...))``: the write raises before its value
        # matters, so a value the script cannot compute stands in as a number (and what
        # only that value read is left out)
        script = _render(trace, seqs, frozenset({event.seq}), {event.seq: written})
        description += " (the value written stands in as 0.0)"
    if script is None:
        return None
    return Witness(
        script,
        Expectation(kind="raises", exception="RuntimeError", message=message),
        description,
    )


def _with_zero_written(event: LeafInplace) -> cst.SimpleStatementLine | None:
    """The item assignment ``w[i] = v`` of ``event`` as ``w[i] = 0.0``."""
    statement = event.statement
    if event.how != "setitem" or not isinstance(statement, cst.SimpleStatementLine):
        return None
    if len(statement.body) != 1 or not isinstance(statement.body[0], cst.Assign):
        return None
    assign = statement.body[0]
    if len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Subscript):
        return None
    return statement.with_changes(body=[assign.with_changes(value=cst.Float("0.0"))])


class _Names(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def _binders(trace: Trace, statement: cst.CSTNode, before: int) -> set[int]:
    """The statements that last bound, before ``before``, a plain name the write reads
    (``lr`` in ``w -= lr * w.grad``), with what made their values."""
    collector = _Names()
    statement.visit(collector)
    found: set[int] = set()
    for name in collector.names:
        latest = max(
            (seq for seq, names in trace.bindings.items() if seq < before and name in names),
            default=None,
        )
        if latest is not None:
            found |= set(provenance(trace.bindings[latest][name])) | {latest}
    return found


def _backward_before(trace: Trace, event: LeafInplace) -> Backward | None:
    return latest_backward_from(trace, event.leaf.prov, lambda other: other.order >= event.order)


def witness_for_nonleaf_flag(trace: Trace, event: RequiresGradSet) -> Witness | None:
    script = _render(trace, set(event.target.prov) | {event.seq}, frozenset({event.seq}))
    if script is None:
        return None
    return Witness(
        script,
        Expectation(kind="raises", exception="RuntimeError", message=NONLEAF_REQUIRES_GRAD),
        "`requires_grad` changed on a tensor that is not a leaf",
    )


def witness_for_cut_loss(
    trace: Trace, event: RequiresGradSet, backward: Backward
) -> Witness | None:
    """The slice up to the backward; a parameter the loss was computed from has no gradient."""
    silenced = event.result
    if silenced is None or not trace.want_witnesses:
        return None
    seqs = set(silenced.prov) | set(event.target.prov) | {event.seq, backward.seq}
    builder = SliceBuilder(trace)
    script = builder.render(seqs, frozenset({event.seq, backward.seq}))
    if script is None or _reaches_into_models(script, builder):
        return None
    parameter = _parameter_in(trace, builder, seqs, silenced)
    if parameter is None or not _backward_on_set_tensor(script, silenced):
        return None
    return Witness(
        script,
        Expectation(kind="equals", observe=f"{parameter}.grad is None", value="True"),
        f"the backward reaches only the re-enabled leaf: `{parameter}` gets no gradient",
    )


def _backward_on_set_tensor(script: str, silenced: Tensor) -> bool:
    """The script runs the backward on the very tensor whose flag it set (under its name,
    or a name a plain ``loss = mean_losses`` gave it), with nothing rebinding those names in
    between (a stand-in there would make the witness meaningless)."""
    name = _name_in_script(silenced)
    if name is None:
        return False
    lines = [line.strip() for line in script.splitlines()]
    sets = [
        i
        for i, line in enumerate(lines)
        if f"{name}.requires_grad" in line
        or (
            line.startswith(f"{name} = ")
            and ("requires_grad=True" in line or line.endswith(".requires_grad_()"))
        )
    ]
    if not sets:
        return False
    names = {name}
    for line in lines[sets[-1] + 1 :]:
        if any(line.startswith(f"{alias}.backward(") for alias in names):
            return True
        target, sep, value = line.partition(" = ")
        if sep and target.isidentifier():
            if value in names:
                names.add(target)
            else:
                names.discard(target)
            if not names:
                return False
    return False


def _parameter_in(
    trace: Trace, builder: SliceBuilder, seqs: set[int], silenced: Tensor
) -> str | None:
    """A leaf that requires grad, bound in the slice (or a stand-in layer's weight), other
    than the tensor whose flag was set."""
    for seq in sorted(seqs):
        for name, value in trace.bindings.get(seq, {}).items():
            if (
                isinstance(value, Tensor)
                and value.requires_grad is Tri.YES
                and value.is_leaf is Tri.YES
                and value.storage != silenced.storage
                and name.isidentifier()
            ):
                return name
    for name, layer in builder.layers.items():
        found = _weight_of(name, layer)
        if found is not None:
            return found
    return None


def _weight_of(name: str, layer: NNModule) -> str | None:
    """``fc.weight``, or ``net[0].weight`` for the first layer of a ``Sequential`` that has one."""
    if any(param.label.endswith(".weight") for param in layer.params):
        return f"{name}.weight"
    if layer.kind in {"Sequential", "ModuleList"}:
        for index, child in enumerate(layer.children):
            if isinstance(child, NNModule):
                found = _weight_of(f"{name}[{index}]", child)
                if found is not None:
                    return found
    return None
