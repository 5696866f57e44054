"""Exact shapes carried through reductions along a dimension, reshapes and indexing.

AG009 rests on a tensor's element count. Where the input's shape is known exactly (every
size a literal, or computed from literals by the ops below), these ops give an exact result
too: ``out.mean(dim=0)`` drops a dimension, ``x.view(4, -1)`` and ``x.squeeze()`` rearrange
the sizes, ``logit[:, 3]`` removes one. Every argument that decides the result must be
written as a literal (or be a number the analysis knows, for indices); anything else, an
out-of-range dimension, or sizes that do not fit (where torch itself raises) gives
``None``: nothing is known, and the caller falls back to the weaker facts it had.
"""

from __future__ import annotations

import math
from collections.abc import Sequence as Seq

import libcst as cst

from autograd_lint.analysis.names import keyword, literal_bool
from autograd_lint.analysis.values import PlainValue, Tensor, Tri, Value

Shape = tuple[int, ...]


def literal_signed(node: cst.BaseExpression | None) -> int | None:
    """``3`` or ``-1`` as written (never a bool), else ``None``."""
    negative = isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
    if negative:
        assert isinstance(node, cst.UnaryOperation)
        node = node.expression
    if not isinstance(node, cst.Integer):
        return None
    try:
        value = int(node.value, 0)
    except ValueError:
        return None
    return -value if negative else value


def _literal_ints(node: cst.BaseExpression | None) -> tuple[int, ...] | None:
    """``1`` -> ``(1,)``; ``(2, 3)`` / ``[2, 3]`` -> ``(2, 3)``; anything else ``None``."""
    single = literal_signed(node)
    if single is not None:
        return (single,)
    if not isinstance(node, cst.Tuple | cst.List):
        return None
    found = [literal_signed(e.value) for e in node.elements if isinstance(e, cst.Element)]
    if len(found) != len(node.elements) or any(v is None for v in found):
        return None
    return tuple(v for v in found if v is not None)


def _arguments(node: cst.CSTNode, method: bool) -> tuple[list[cst.Arg], cst.Call] | None:
    """The positional arguments after the tensor (``x.sum(1)``: ``[1]``; ``torch.sum(x, 1)``:
    ``[1]``), and the call; ``None`` where a ``*`` argument hides them."""
    if not isinstance(node, cst.Call) or any(a.star for a in node.args):
        return None
    positional = [a for a in node.args if a.keyword is None]
    return (positional if method else positional[1:]), node


def _axis(dim: int, rank: int) -> int | None:
    """A dimension index in ``[-rank, rank)`` as a non-negative one (a scalar accepts 0
    and -1, as torch does)."""
    bound = max(rank, 1)
    if not -bound <= dim < bound:
        return None
    return dim % bound


def reduced(shape: Shape, node: cst.CSTNode, method: bool, name: str) -> Shape | None:
    """``x.sum(1)``, ``torch.mean(x, (2, 3), keepdim=True)``, ``x.norm(dim=1)``: the shape
    after reducing the dimensions given as literals."""
    found = _arguments(node, method)
    if found is None:
        return None
    positional, call = found
    dim_arg = keyword(call, "dim") or keyword(call, "axis")
    keep_arg = keyword(call, "keepdim")
    if name == "norm":  # ``norm(p, dim, keepdim)``: the first positional is the order
        positional = positional[1:]
    if dim_arg is None and positional:
        dim_arg, positional = positional[0], positional[1:]
    if keep_arg is None and positional:
        keep_arg = positional[0]
    if dim_arg is None:
        return None
    dims = _literal_ints(dim_arg.value)
    keep = Tri.NO if keep_arg is None else literal_bool(keep_arg.value)
    if dims is None or not dims or keep is Tri.UNKNOWN:
        return None
    axes = {_axis(d, len(shape)) for d in dims}
    if None in axes or len(axes) != len(dims):
        return None  # out of range, or a dimension named twice: torch raises
    if not shape:
        return ()
    if keep is Tri.YES:
        return tuple(1 if i in axes else size for i, size in enumerate(shape))
    return tuple(size for i, size in enumerate(shape) if i not in axes)


def _sizes(positional: list[cst.Arg]) -> tuple[int, ...] | None:
    """``view(4, -1)`` or ``view((4, -1))``: the sizes asked for."""
    if len(positional) == 1:
        return _literal_ints(positional[0].value)
    found = [literal_signed(a.value) for a in positional]
    return None if any(v is None for v in found) else tuple(v for v in found if v is not None)


def _viewed(shape: Shape, sizes: tuple[int, ...]) -> Shape | None:
    total = math.prod(shape)
    if sum(s == -1 for s in sizes) > 1 or any(s < -1 for s in sizes):
        return None
    rest = math.prod(s for s in sizes if s != -1)
    if -1 in sizes:
        if rest == 0 or total % rest:
            return None
        return tuple(total // rest if s == -1 else s for s in sizes)
    return sizes if rest == total else None


def flattened(shape: Shape, start: int, end: int) -> Shape | None:
    """``flatten(start, end)`` of a tensor of ``shape`` (a scalar becomes one element)."""
    if not shape:
        return (1,)
    rank = len(shape)
    first, last = _axis(start, rank), _axis(end, rank)
    if first is None or last is None or first > last:
        return None
    return (*shape[:first], math.prod(shape[first : last + 1]), *shape[last + 1 :])


_KEYWORDS = {
    "flatten": frozenset({"start_dim", "end_dim"}),
    "squeeze": frozenset({"dim"}),
    "unsqueeze": frozenset({"dim"}),
}
"""The keywords each op's shape may be read from (any other: not known here)."""


def rearranged(shape: Shape, name: str, node: cst.CSTNode, method: bool) -> Shape | None:
    """The shape of ``view`` / ``reshape`` / ``flatten`` / ``squeeze`` / ``unsqueeze`` /
    ``permute`` / ``transpose`` / ``t`` / ``contiguous`` of a tensor of ``shape``."""
    if name in {"contiguous", "clone", "detach"}:
        return shape
    if name == "t" and len(shape) <= 2:
        return tuple(reversed(shape))
    found = _arguments(node, method)
    if found is None:
        return None
    positional, call = found
    allowed = _KEYWORDS.get(name, frozenset())
    if any(a.keyword is not None and a.keyword.value not in allowed for a in call.args):
        return None
    rank = len(shape)
    if name in {"view", "reshape"}:
        sizes = _sizes(positional)
        return _viewed(shape, sizes) if sizes is not None else None
    if name == "flatten":
        start_arg = keyword(call, "start_dim") or (positional[0] if positional else None)
        end_arg = keyword(call, "end_dim") or (positional[1] if len(positional) > 1 else None)
        start = 0 if start_arg is None else literal_signed(start_arg.value)
        end = -1 if end_arg is None else literal_signed(end_arg.value)
        if start is None or end is None:
            return None
        return flattened(shape, start, end)
    dim_arg = keyword(call, "dim") or (positional[0] if positional else None)
    if name == "squeeze":
        if dim_arg is None:
            return tuple(size for size in shape if size != 1)
        dims = _literal_ints(dim_arg.value)
        if dims is None or len(positional) > 1:
            return None
        axes = {_axis(d, rank) for d in dims}
        if None in axes:
            return None
        return tuple(size for i, size in enumerate(shape) if not (i in axes and size == 1))
    if name == "unsqueeze":
        dim = literal_signed(dim_arg.value) if dim_arg is not None else None
        if dim is None or not -(rank + 1) <= dim <= rank:
            return None
        axis = dim % (rank + 1)
        return (*shape[:axis], 1, *shape[axis:])
    if name == "transpose" and len(positional) == 2:
        first_dim, second_dim = (literal_signed(a.value) for a in positional)
        if first_dim is None or second_dim is None:
            return None
        a, b = _axis(first_dim, rank), _axis(second_dim, rank)
        if a is None or b is None or not shape:
            return shape if a is not None and b is not None else None
        swapped = list(shape)
        swapped[a], swapped[b] = swapped[b], swapped[a]
        return tuple(swapped)
    if name == "permute":
        order = _sizes(positional)
        if order is None or len(order) != rank:
            return None
        order_axes = [_axis(d, rank) for d in order]
        if None in order_axes or len(set(order_axes)) != rank:
            return None
        return tuple(shape[a] for a in order_axes if a is not None)
    return None


def _known_int(value: Value | None) -> int | None:
    if isinstance(value, PlainValue) and type(value.const) is int:
        return value.const
    return None


def _slice_length(size: int, piece: cst.Slice) -> int | None:
    bounds: list[int | None] = []
    for bound in (piece.lower, piece.upper, piece.step):
        if bound is None:
            bounds.append(None)
            continue
        number = literal_signed(bound)
        if number is None:
            return None
        bounds.append(number)
    if bounds[2] is not None and bounds[2] <= 0:
        return None  # torch refuses a zero or negative step
    return len(range(size)[slice(*bounds)])


def indexed(shape: Shape, node: cst.Subscript, indices: Seq[Value]) -> Shape | None:
    """``x[0]``, ``x[:, 3]``, ``x[1:3, ..., None]``: basic indexing of a tensor of ``shape``
    by integers (literals or known numbers), slices with literal bounds, ``None`` and
    ``...``. ``indices`` are the values of the ``cst.Index`` elements, in order."""
    items: list[tuple[str, int | cst.Slice | None]] = []
    values = iter(indices)
    for element in node.slice:
        piece = element.slice
        if isinstance(piece, cst.Slice):
            items.append(("slice", piece))
            continue
        assert isinstance(piece, cst.Index)
        value = next(values, None)
        expression = piece.value
        if isinstance(expression, cst.Name) and expression.value == "None":
            items.append(("new", None))
        elif isinstance(expression, cst.Ellipsis):
            items.append(("rest", None))
        elif (number := literal_signed(expression)) is not None or (
            number := _known_int(value)
        ) is not None:
            items.append(("int", number))
        else:
            return None  # a tensor, a list, a name of unknown value: not basic, or not known
    if sum(kind == "rest" for kind, _ in items) > 1:
        return None
    consuming = sum(kind in {"slice", "int"} for kind, _ in items)
    if consuming > len(shape):
        return None
    if not any(kind == "rest" for kind, _ in items):
        items.append(("rest", None))
    result: list[int] = []
    axis = 0
    for kind, item in items:
        if kind == "new":
            result.append(1)
        elif kind == "rest":
            skipped = len(shape) - consuming
            result.extend(shape[axis : axis + skipped])
            axis += skipped
        elif kind == "int":
            assert isinstance(item, int)
            if not -shape[axis] <= item < shape[axis]:
                return None  # torch raises: index out of range
            axis += 1
        else:
            assert isinstance(item, cst.Slice)
            length = _slice_length(shape[axis], item)
            if length is None:
                return None
            result.append(length)
            axis += 1
    return tuple(result)


def tensor_indexed(shape: Shape, node: cst.Subscript, indices: Seq[Value]) -> Shape | None:
    """``x[:, idx]``: one index tensor of known shape among slices. An integer index puts its
    own shape in place of the dimension; a bool mask (whose count depends on its values) must
    have exactly the shape of the dimensions it covers, or torch raises ("The shape of the
    mask ... does not match"): an index of any other shape is integer. One whose shape fits
    as a mask is not known here."""
    if len(indices) != 1 or not isinstance(indices[0], Tensor):
        return None
    count = indices[0].elements
    index_shape = count.shape if count is not None else None
    if index_shape is None:
        return None
    result: list[int] = []
    axis = 0
    for element in node.slice:
        piece = element.slice
        if isinstance(piece, cst.Index):
            covered = shape[axis : axis + len(index_shape)]
            if axis >= len(shape) or covered == index_shape:
                return None  # past the last dimension, or it may be a mask
            result.extend(index_shape)
            axis += 1
            continue
        assert isinstance(piece, cst.Slice)
        if axis >= len(shape):
            return None
        length = _slice_length(shape[axis], piece)
        if length is None:
            return None
        result.append(length)
        axis += 1
    return (*result, *shape[axis:])
