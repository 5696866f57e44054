"""``torch.max(a, b)`` / ``torch.min(a, b)`` with two tensors: the elementwise overload.

``torch.max`` has three forms, chosen by its arguments: ``max(x)`` reduces every element to
one, ``max(x, dim)`` (an int, or ``dim=``) returns ``(values, indices)`` along a dimension,
and ``max(x, other)`` with a tensor ``other`` is ``torch.maximum``: elementwise, and
differentiable in both operands. Read as a reduction of ``x`` alone, the second form loses
``other``: the result would look cut from the graph when only ``other`` requires grad (a
false AG003) and would look like a scalar. The method form (``a.max(b)``) is the same.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis.names import keyword
from autograd_lint.analysis.values import PlainValue, Sequence, Tensor, Value

_BINARY_FORMS = {"max": "max.other", "min": "min.other"}


def other_operand(
    name: str, node: cst.CSTNode, rest: list[Value], *, method: bool
) -> tuple[ops.OpSpec, Value] | None:
    """For ``torch.max(x, other)`` / ``x.max(other)`` whose ``other`` is, or may be, a
    tensor: the elementwise op and ``other``. ``rest`` are the values of the call's
    arguments after ``x`` (in the order of ``node.args``, the receiver excluded).

    ``None`` for the reduction forms: no second argument, a ``dim=`` keyword, or a second
    argument known not to be a tensor (a number: a dimension). A second argument of unknown
    kind is returned too: the caller must then not rest any fact on its being a dimension."""
    form = _BINARY_FORMS.get(name)
    if form is None or not isinstance(node, cst.Call):
        return None
    if keyword(node, "dim") is not None:
        return None
    arguments = list(node.args) if method else list(node.args)[1:]
    values = rest[: len(arguments)]
    for arg, value in zip(arguments, values, strict=False):
        if arg.star:
            return None  # ``torch.max(*pair)``: which form is not known
        if arg.keyword is not None and arg.keyword.value == "other":
            return ops.OVERLOADS[form], value
    positional = [v for a, v in zip(arguments, values, strict=False) if a.keyword is None]
    if not positional:
        return None
    other = positional[0]
    if isinstance(other, PlainValue):
        return None  # ``torch.max(x, 1)``: along a dimension
    if isinstance(other, Sequence):
        return None  # ``torch.max(x, (0, 1))`` is not a form of max: leave it as it was
    return ops.OVERLOADS[form], other


def surely_tensor(other: Value) -> bool:
    """The second operand is known to be a tensor (so the result's element count is that of
    the broadcast operands)."""
    return isinstance(other, Tensor)
