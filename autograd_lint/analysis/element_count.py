"""Element counts of tensors: exact shapes from literal constructors, and the weaker fact
"surely not one element", carried through the ops that keep it.

AG009 needs to know that ``t.backward()`` runs on a tensor that is not a single element.
Only what is certain is recorded: a literal ``torch.randn(4, 3)``, a ``Linear`` whose
``out_features`` is a literal other than 1, a ``reduction="none"`` loss. Elementwise ops
keep the fact (broadcasting never makes a count of 2 or more, or of 0, into 1), views that
keep every element keep it, reductions without ``dim`` make a scalar. Where the input's
shape is exact, reductions along a dimension, reshapes and basic indexing give an exact
shape too (:mod:`~autograd_lint.analysis.shape_flow`), and so do layers whose sizes are
known (:mod:`~autograd_lint.analysis.layer_shapes`); everything else (advanced indexing,
calls the analyzer does not know) forgets it.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis import shape_flow
from autograd_lint.analysis.names import keyword
from autograd_lint.analysis.values import ElementCount, PlainValue, Sequence, Tensor, Value
from autograd_lint.quiet_parse import string_value

SCALAR = ElementCount(shape=(), reason="a scalar")

_ELEMENTWISE = frozenset(
    {
        "add",
        "sub",
        "mul",
        "div",
        "pow",
        "neg",
        "exp",
        "log",
        "sin",
        "cos",
        "sqrt",
        "abs",
        "square",
        "clamp",
        "sigmoid",
        "tanh",
        "relu",
        "gelu",
        "silu",
        "leaky_relu",
        "softmax",
        "log_softmax",
        "softplus",
        "elu",
        "hardtanh",
        "dropout",
        "clone",
        "maximum",
        "minimum",
        "max.other",
        "min.other",
        "masked_fill",
        "where",
    }
)
"""Ops whose result broadcasts their inputs element by element."""
_KEEPS_COUNT = frozenset(
    {"view", "reshape", "flatten", "contiguous", "t", "transpose", "permute", "squeeze"}
)
"""Views and reshapes that keep every element (not ``expand``, ``unsqueeze`` is kept below)."""
_CONSTRUCTORS = frozenset({"randn", "rand", "zeros", "ones", "empty", "full", "randint"})
_PER_ELEMENT = frozenset({"none"})


def literal_int(node: cst.BaseExpression) -> int | None:
    """A non-negative integer literal as written, else ``None``."""
    if isinstance(node, cst.Integer):
        try:
            return int(node.value, 0)
        except ValueError:
            return None
    return None


def _broadcast(shapes: list[tuple[int, ...]]) -> tuple[int, ...] | None:
    """numpy/torch broadcasting of known shapes; ``None`` where they do not broadcast."""
    rank = max(len(s) for s in shapes)
    result: list[int] = []
    for axis in range(rank):
        sizes = {s[len(s) - rank + axis] for s in shapes if len(s) - rank + axis >= 0}
        sizes.discard(1)
        if len(sizes) > 1:
            return None
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


def _count_of(value: Value) -> ElementCount | None:
    if isinstance(value, Tensor):
        return value.elements
    if isinstance(value, PlainValue):
        return SCALAR  # a Python number broadcasts as a scalar
    return None


def elementwise(inputs: Seq[Value]) -> ElementCount | None:
    """The count of an elementwise result from its operands'."""
    counts = [_count_of(value) for value in inputs]
    known = [c for c in counts if c is not None]
    shapes = [c.shape for c in counts if c is not None and c.shape is not None]
    if len(shapes) == len(inputs) and shapes:
        shape = _broadcast(shapes)
        if shape is not None:
            return ElementCount(shape=shape, reason=f"shape {shape}" if shape else "a scalar")
    not_one = next((c for c in known if c.not_one or (c.shape is not None and not c.one)), None)
    unreduced = next((c.unreduced for c in known if c.unreduced is not None), None)
    if not_one is not None:
        return ElementCount(not_one=True, unreduced=unreduced, reason=not_one.reason)
    if unreduced is not None:
        reason = next(c.reason for c in known if c.unreduced is not None)
        return ElementCount(unreduced=unreduced, reason=reason)
    return None


def _keeps_count(count: ElementCount | None, name: str) -> ElementCount | None:
    if count is None:
        return None
    if name in {"t", "transpose"} and count.shape is not None and len(count.shape) <= 2:
        return ElementCount(shape=tuple(reversed(count.shape)), reason=count.reason)
    not_one = count.not_one or (count.shape is not None and not count.one)
    if not (not_one or count.unreduced is not None):
        return (
            ElementCount(shape=(), reason="a scalar") if count.one and count.shape == () else None
        )
    return ElementCount(not_one=not_one, unreduced=count.unreduced, reason=count.reason)


def _dims_given(node: cst.CSTNode, method: bool) -> bool:
    """A reduction called with a dimension (``x.sum(1)``, ``torch.mean(x, dim=0)``)."""
    if not isinstance(node, cst.Call):
        return True
    if keyword(node, "dim") is not None or keyword(node, "axis") is not None:
        return True
    positional = [a for a in node.args if a.keyword is None]
    return len(positional) > (0 if method else 1)


_SAME_SHAPE = frozenset({"batch_norm", "layer_norm", "group_norm", "normalize"})
"""Ops whose result has the shape of their first input, whatever the other inputs are."""


def _exact(shape: tuple[int, ...] | None) -> ElementCount | None:
    if shape is None:
        return None
    return ElementCount(shape=shape, reason=f"shape {shape}" if shape else "a scalar")


def after_op(
    result: Tensor,
    spec: ops.OpSpec,
    inputs: Seq[Value],
    node: cst.CSTNode,
    *,
    method: bool,
    arguments: bool = True,
) -> None:
    """Record the element count of an op's result (``method``: called as ``t.<op>(...)``;
    ``arguments``: the call's arguments are the op's, so a ``dim`` or a size written there
    counts, which is not so for a layer's call, ``self.flatten(x)``)."""
    name = spec.name
    first = _count_of(inputs[0]) if inputs else None
    shape = first.shape if first is not None and arguments else None
    if spec.reduces and spec.kind != "loss":
        if not _dims_given(node, method):
            result.elements = SCALAR
        else:
            along = shape_flow.reduced(shape, node, method, name) if shape is not None else None
            result.elements = _exact(along)
    elif name in _ELEMENTWISE:
        result.elements = elementwise(inputs)
    elif name in _SAME_SHAPE and inputs:
        known = first is not None and first.shape is not None
        result.elements = _exact(first.shape) if known and first else _keeps_count(first, name)
    elif name in _KEEPS_COUNT and inputs:
        exact = shape_flow.rearranged(shape, name, node, method) if shape is not None else None
        result.elements = _exact(exact) if exact is not None else _keeps_count(first, name)
    elif name == "unsqueeze" and inputs:
        exact = shape_flow.rearranged(shape, name, node, method) if shape is not None else None
        if exact is not None:
            result.elements = _exact(exact)
        else:
            result.elements = _keeps_count(first, name) if first and first.shape != () else None


def _literal_shape(node: cst.BaseExpression) -> tuple[int, ...] | None:
    """The shape of a nested list literal of numbers (``[[1., 2.], [3., 4.]]`` -> (2, 2))."""
    if isinstance(node, cst.Integer | cst.Float):
        return ()
    if isinstance(node, cst.UnaryOperation) and isinstance(
        node.expression, cst.Integer | cst.Float
    ):
        return ()
    if not isinstance(node, cst.List | cst.Tuple) or not node.elements:
        return None
    inner = [_literal_shape(e.value) for e in node.elements if isinstance(e, cst.Element)]
    if len(inner) != len(node.elements) or inner[0] is None or any(s != inner[0] for s in inner):
        return None
    return (len(inner), *inner[0])


def _size_of(node: cst.BaseExpression, value: Value | None) -> int | None:
    """A size written as a literal, or a name (or arithmetic) of a number the analysis
    knows (``torch.randn(batch_size, 3)`` with ``batch_size = 32``)."""
    number = literal_int(node)
    if number is None and isinstance(value, PlainValue) and type(value.const) is int:
        number = value.const
    return number if number is not None and number >= 0 else None


def _size_arguments(
    node: cst.Call, name: str, values: list[Value | None]
) -> list[tuple[cst.BaseExpression, Value | None]] | None:
    """The arguments that give a constructor's size, with their values."""
    pairs = [(a.value, v) for a, v in zip(node.args, values, strict=True) if a.keyword is None]
    size = keyword(node, "size")
    if name == "randint":  # ``randint(high, size)`` or ``randint(low, high, size)``
        if size is not None:
            return [(size.value, values[node.args.index(size)])] if not pairs[2:] else None
        return pairs[-1:] if len(pairs) in {2, 3} else None
    if size is not None:
        return None
    return pairs[:1] if name == "full" else pairs


def created(node: cst.Call, name: str, args: Seq[Value] = ()) -> ElementCount | None:
    """``torch.randn(4, 3)``, ``torch.randint(0, 5, (n,))``, ``torch.tensor([1., 2.])``: the
    shape, when every size is a literal or a known number (or every element a literal);
    ``args`` are the values of the call's arguments, in order."""
    if name in {"tensor", "as_tensor"} and node.args and node.args[0].keyword is None:
        literal = _literal_shape(node.args[0].value)
        return (
            ElementCount(shape=literal, reason=f"shape {literal}") if literal is not None else None
        )
    if name not in _CONSTRUCTORS or any(a.star for a in node.args):
        return None
    values: list[Value | None] = list(args) if len(args) == len(node.args) else []
    values = values or [None] * len(node.args)
    pairs = _size_arguments(node, name, values)
    if pairs is None:
        return None
    if len(pairs) == 1 and isinstance(pairs[0][0], cst.Tuple | cst.List):
        listed, whole = pairs[0]
        assert isinstance(listed, cst.Tuple | cst.List)
        items = [e.value for e in listed.elements]
        parts: list[Value | None] = list(whole.items) if isinstance(whole, Sequence) else []
        parts = parts if len(parts) == len(items) else [None] * len(items)
        pairs = list(zip(items, parts, strict=True))
    elif name == "randint":
        return None  # the size must be a tuple
    shape: list[int] = []
    for size, value in pairs:
        number = _size_of(size, value)
        if number is None:
            return None
        shape.append(number)
    return ElementCount(shape=tuple(shape), reason=f"shape {tuple(shape)}")


def joined(name: str, parts: Seq[Value]) -> ElementCount | None:
    """``torch.cat`` / ``torch.stack`` of parts whose shapes are all known: the total count."""
    counts = [_count_of(part) for part in parts]
    shapes = [c.shape for c in counts if c is not None and c.shape is not None]
    if not shapes or len(shapes) != len(parts):
        return None
    total = 0
    for shape in shapes:
        size = 1
        for dim in shape:
            size *= dim
        total += size
    if total == 1:
        return None
    return ElementCount(not_one=True, reason=f"{total} elements from `torch.{name}`")


_ELEMENTWISE_LOSSES = frozenset(
    {
        "mse_loss",
        "l1_loss",
        "smooth_l1_loss",
        "binary_cross_entropy",
        "binary_cross_entropy_with_logits",
        "kl_div",
    }
)
"""Losses whose ``reduction="none"`` result has the shape of their (broadcast) inputs."""


Reduction = tuple[cst.Arg | None, str | None]
"""A loss's ``reduction=`` argument (``None``: not given) and the string it is, where known."""


def _known_string(arg: cst.Arg, value: Value | None) -> str | None:
    """The string an argument is: a literal, or a value the analysis knows (a local name
    bound to a constant, ``red = "none"; nn.CrossEntropyLoss(reduction=red)``)."""
    if isinstance(arg.value, cst.SimpleString):
        text = string_value(arg.value)
        return text if isinstance(text, str) else None
    if isinstance(value, PlainValue) and isinstance(value.const, str):
        return value.const
    return None


def reduction_of(
    call: cst.Call,
    args: Seq[Value],
    constructor: cst.CSTNode | None = None,
    constructor_args: Seq[Value] | None = None,
) -> Reduction:
    """The ``reduction=`` keyword of the loss call, else of the loss module's constructor;
    ``args`` (and ``constructor_args``) are the values of the call's arguments, in order."""
    found = _reduction_keyword(call, args)
    if found[0] is None and isinstance(constructor, cst.Call):
        found = _reduction_keyword(constructor, constructor_args or ())
    return found


def _reduction_keyword(call: cst.Call, args: Seq[Value]) -> Reduction:
    arg = keyword(call, "reduction")
    if arg is None:
        return None, None
    values = list(args) if len(args) == len(call.args) else []
    value = values[call.args.index(arg)] if values else None
    return arg, _known_string(arg, value)


def loss_output(
    reduction: Reduction, name: str = "", inputs: Seq[Value] = ()
) -> ElementCount | None:
    """A loss's result: a scalar under the default reduction, per element under
    ``reduction="none"`` (a keyword of the call, or of the loss module's constructor)."""
    arg, text = reduction
    if arg is None:
        return SCALAR
    if text in {"mean", "sum"}:
        return SCALAR
    if text in _PER_ELEMENT:
        reason = 'a per-element loss (`reduction="none"`)'
        known = elementwise(inputs) if name in _ELEMENTWISE_LOSSES else None
        if surely_not_one(known):
            return ElementCount(not_one=True, unreduced=arg.value, reason=reason)
        return ElementCount(unreduced=arg.value, reason=reason)
    return None


_GRADIENT_ARGUMENT = {
    # api -> (keyword, position of the gradient among the positional arguments)
    "method": ("gradient", 0),
    "autograd.backward": ("grad_tensors", 1),
    "autograd.grad": ("grad_outputs", 2),
}


def gradient_given(call: cst.Call, api: str) -> bool:
    """The backward call passes the gradient to start from (anything but a literal ``None``;
    ``*args`` counts as given, since it may)."""
    name, position = _GRADIENT_ARGUMENT[api]
    given = keyword(call, name)
    if given is not None:
        return not (isinstance(given.value, cst.Name) and given.value.value == "None")
    if any(a.star for a in call.args):
        return True
    positional = [a for a in call.args if a.keyword is None]
    if len(positional) > position:
        value = positional[position].value
        return not (isinstance(value, cst.Name) and value.value == "None")
    return False


def surely_not_one(count: ElementCount | None) -> bool:
    """The count is known to be other than one (torch refuses an implicit gradient)."""
    if count is None:
        return False
    return count.not_one or (count.shape is not None and not count.one)
