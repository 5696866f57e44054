"""Witnesses: the parameters of layers, frozen in loops and observed by name.

``for p in clf.parameters(): p.requires_grad = False`` comes out of the trace unrolled,
one ``p.requires_grad = False`` per pass, and no statement of the slice binds ``p`` (the
``for`` is not a simple statement). The passes are not each parameter in turn (a long
list is analysed through representatives), so a witness cannot bind ``p`` pass by pass:
it writes the loop itself, once, where it runs over the parameters of a layer the script
creates. Also here: naming a layer's parameters (``clf[1].weight``) for an observation,
and the flag writes a frozen-model witness must hold.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from autograd_lint.analysis.trace import DataWrite, RequiresGradSet, Trace
from autograd_lint.analysis.values import NNModule, Tensor, Tri
from autograd_lint.analysis.witness_render_order import runs_inside

if TYPE_CHECKING:
    from autograd_lint.analysis.witness_render import SliceBuilder

_INDEXED_CONTAINERS = frozenset({"Sequential", "ModuleList"})
"""Containers whose children a script reaches by position (``layers[1]``)."""


def _flag_writes(statement: cst.SimpleStatementLine) -> set[str]:
    """Names whose ``requires_grad`` the statement sets to a literal (``p.requires_grad =
    False``, ``p.requires_grad_(False)``), where that is all it does."""
    found: set[str] = set()
    for small in statement.body:
        if isinstance(small, cst.Assign) and isinstance(small.value, cst.Name):
            for target in small.targets:
                node = target.target
                if (
                    isinstance(node, cst.Attribute)
                    and node.attr.value == "requires_grad"
                    and isinstance(node.value, cst.Name)
                    and small.value.value in {"True", "False"}
                ):
                    found.add(node.value.value)
                else:
                    return set()
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            func = small.value.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value == "requires_grad_"
                and isinstance(func.value, cst.Name)
                and all(isinstance(a.value, cst.Name) for a in small.value.args)
            ):
                found.add(func.value.value)
            else:
                return set()
        else:
            return set()
    return found


def flag_written(statement: cst.SimpleStatementLine) -> str | None:
    """``True`` or ``False``: the one flag a flag write sets (``requires_grad_()`` sets
    ``True``)."""
    flags: set[str] = set()
    for small in statement.body:
        if isinstance(small, cst.Assign) and isinstance(small.value, cst.Name):
            flags.add(small.value.value)
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            args = small.value.args
            if len(args) > 1 or (args and args[0].keyword is not None):
                return None
            flags.add(cst.ensure_type(args[0].value, cst.Name).value if args else "True")
    return next(iter(flags)) if len(flags) == 1 and flags <= {"True", "False"} else None


class _Loops(cst.CSTVisitor):
    """The ``for`` whose whole body is one given statement, for every such statement."""

    def __init__(self) -> None:
        self.found: dict[int, cst.For] = {}

    def visit_For(self, node: cst.For) -> None:
        body = node.body.body
        if len(body) == 1 and isinstance(node.target, cst.Name) and node.orelse is None:
            self.found[id(body[0])] = node


_LOOPS: dict[int, tuple[cst.Module, dict[int, cst.For]]] = {}
"""The loops of the last file looked at (one file's findings are rendered together)."""


def enclosing_flag_loop(trace: Trace, statement: cst.CSTNode) -> cst.For | None:
    """The ``for p in ...:`` whose one statement is ``statement``, a write of ``p``'s
    ``requires_grad`` to a literal (a statement of the file itself; one of a followed
    module is not looked for)."""
    cached = _LOOPS.get(id(trace))
    if cached is None or cached[0] is not trace.module:
        visitor = _Loops()
        trace.module.visit(visitor)
        _LOOPS.clear()
        cached = (trace.module, visitor.found)
        _LOOPS[id(trace)] = cached
    loop = cached[1].get(id(statement))
    if loop is None or not isinstance(statement, cst.SimpleStatementLine):
        return None
    assert isinstance(loop.target, cst.Name)
    return loop if _flag_writes(statement) == {loop.target.value} else None


def parameters_of_layer(expression: str, layers: set[str]) -> bool:
    """Whether ``expression`` is ``layer.parameters()`` (``layer[1].parameters()``) of a
    layer the script creates under one of ``layers``."""
    try:
        node = cst.parse_expression(expression)
    except cst.ParserSyntaxError:
        return False
    if not (
        isinstance(node, cst.Call)
        and not node.args
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "parameters"
    ):
        return False
    owner: cst.BaseExpression = node.func.value
    while isinstance(owner, cst.Subscript):
        if not all(
            isinstance(e.slice, cst.Index) and isinstance(e.slice.value, cst.Integer)
            for e in owner.slice
        ):
            return False
        owner = owner.value
    return isinstance(owner, cst.Name) and owner.value in layers


def _parameter_paths(layer: NNModule) -> list[tuple[str, Tensor]]:
    """Every parameter of ``layer`` a script can name, with its path (``[0].weight``)."""
    found = [(p.label, p) for p in layer.params if p.label in {".weight", ".bias"}]
    if layer.kind in _INDEXED_CONTAINERS and not layer.uniform:
        for index, child in enumerate(layer.children):
            if isinstance(child, NNModule) and child.builtin and child is not layer:
                found += [(f"[{index}]{path}", p) for path, p in _parameter_paths(child)]
    return found


def upstream_parameter(trace: Trace, builder: SliceBuilder, write_seq: int) -> str | None:
    """A parameter, named through a layer the last script ``builder`` rendered creates, of
    a layer the tensor written at ``write_seq`` was computed with (its provenance holds the
    layer's), that requires grad and that no statement of the file freezes: its gradient
    flows through the written value, so a write the backward does not see changes it."""
    writes = [e for e in trace.events if isinstance(e, DataWrite) and e.seq == write_seq]
    if not writes:
        return None
    origin = set(writes[0].target.prov)
    frozen = {
        e.target.storage
        for e in trace.events
        if isinstance(e, RequiresGradSet) and e.flag is not Tri.YES
    }
    for name, layer in builder.layers.items():
        if not set(layer.prov) & origin:
            continue
        for path, param in _parameter_paths(layer):
            if param.requires_grad is Tri.YES and param.storage not in frozen:
                return f"{name}{path}"
    return None


def flag_writes_on_layers(trace: Trace, seqs: set[int] | frozenset[int], before: int) -> set[int]:
    """The statements before ``before`` that set the ``requires_grad`` of a parameter of a
    layer made in ``seqs``: every iteration of ``for p in model.parameters(): p.requires_grad
    = False``, where the provenance of a loss records only some of them, and a witness that
    froze one parameter of four would show a loss that still requires grad."""
    found: set[int] = set()
    for event in trace.events:
        if (
            isinstance(event, RequiresGradSet)
            and event.how != "constructor"
            and event.seq < before
            and event.target.is_param
            and set(event.target.prov) & set(seqs)
        ):
            found.add(event.seq)
    return found


def flag_loop(
    builder: SliceBuilder,
    statement: cst.SimpleStatementLine,
    seq: int,
    modules: set[str],
    defined: set[str],
) -> tuple[cst.For, str] | None:
    """``clf.requires_grad_(False)`` for a pass of ``for p in clf.parameters():
    p.requires_grad = False`` over the parameters of a layer the script creates (the
    module method sets the flag of each parameter, as the loop does; witnesses hold no
    loops over objects), and the loop, whose other passes are then not written."""
    loop = enclosing_flag_loop(builder.trace, statement)
    if loop is None:
        return None
    assert isinstance(loop.target, cst.Name)
    if loop.target.value in defined:
        return None
    call = loop.iter
    if not (
        isinstance(call, cst.Call)
        and not call.args
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "parameters"
    ):
        return None
    header = cst.SimpleStatementLine(  # the layer, as the script names it
        body=[
            cst.Assign(targets=[cst.AssignTarget(cst.Name("loop_items__"))], value=call.func.value)
        ]
    )
    written = builder._statement(header, modules, seq)
    if written is None or not written.startswith("loop_items__ = "):
        return None
    layer = written.removeprefix("loop_items__ = ")
    flag = flag_written(statement)
    if flag is None:
        return None
    held = layers_of_model(builder, layer, seq) if layer.isidentifier() else None
    if held is not None:  # ``for param in model.parameters()`` of the user's model
        if not held:
            return None
        return loop, "\n".join(f"{name}.requires_grad_({flag})" for name in held)
    if not parameters_of_layer(f"{layer}.parameters()", set(builder.layers)):
        return None
    return loop, f"{layer}.requires_grad_({flag})"  # what the layer's method does


def layers_of_model(builder: SliceBuilder, name: str, seq: int) -> list[str] | None:
    """For ``for param in model.parameters(): param.requires_grad = False`` over the user's
    module ``model``: the layers the script creates (so far) that the call building that
    module made (its ``__init__`` bound them), the ones the loop reaches of those the script
    holds; ``None`` where ``name`` is not bound to a user's module before statement ``seq``."""
    trace = builder.trace
    bound = [s for s, names in trace.bindings.items() if s < seq and name in names]
    model = trace.bindings[max(bound)][name] if bound else None
    if not isinstance(model, NNModule) or model.builtin or not model.is_module:
        return None
    first: dict[int, int] = {}
    """A value's identity -> the first statement binding a name to it."""
    for number in sorted(trace.bindings):
        for value in trace.bindings[number].values():
            first.setdefault(id(value), number)
    built = first.get(id(model))
    if built is None:
        return []
    return [
        layer_name
        for layer_name, layer in builder.layers.items()
        if _all_params(layer) and runs_inside(trace, first.get(id(layer), built), built)
    ]


def _all_params(layer: NNModule) -> list[Tensor]:
    """A layer's parameters, its children's included (a container holds none of its own)."""
    found = list(layer.params)
    for child in layer.children:
        if isinstance(child, NNModule) and child is not layer:
            found += _all_params(child)
    return found
