"""Joining, splitting and selecting: ``cat``, ``stack``, ``split``, ``chunk``, ``where``,
``gather``, ``scatter``, ``index_select``, ``masked_fill`` and ``x.new_*`` constructors.

What each saves is the registry's (``record_op``): ``cat``/``stack``/``split`` save nothing,
the index ops save their index, ``where`` and ``masked_fill`` their condition. ``split`` and
``chunk`` return views made by one node, which torch forbids writing in place.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import messages
from .dispatch import record_op, result_dtype, unbroadcast, wants
from .graph import Array, Grads, Node
from .tensor import Tensor
from .views import make_view


def _dim(dim: int, ndim: int) -> int:
    """``dim`` of a tensor of ``ndim`` dimensions as an axis, refused as torch refuses it
    outside ``[-ndim, ndim - 1]`` (a 0-d tensor takes ``-1`` and ``0``)."""
    n = max(ndim, 1)
    if not -n <= int(dim) < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return int(dim) % n


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    ts = list(tensors)
    d = result_dtype(*ts)
    nd = max(t._data.ndim for t in ts)
    axis = _dim(dim, nd)
    # torch skips legacy empty 1-D tensors of shape [0]
    parts = [t._data for t in ts if not (t._data.ndim == 1 and t._data.size == 0 and nd > 1)]
    data = np.concatenate(parts, axis=axis).astype(d.np, copy=False)
    sizes = [t._data.shape[axis] if t._data.ndim == nd else 0 for t in ts]
    types = [t._data.dtype for t in ts]
    bounds = np.cumsum([0, *sizes])

    def backward(node: Node, g: Array) -> Grads:
        out: list[Array | None] = []
        for i, dt in enumerate(types):
            if not wants(node, i):
                out.append(None)
                continue
            key = (slice(None),) * axis + (slice(int(bounds[i]), int(bounds[i + 1])),)
            out.append(np.ascontiguousarray(g[key]).astype(dt, copy=False))
        return out

    return record_op("cat", data, [ts], backward, edges=ts)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    ts = list(tensors)
    d = result_dtype(*ts)
    axis = _dim(dim, ts[0]._data.ndim + 1)  # a new dimension: one more place for it
    data = np.stack([t._data for t in ts], axis=axis).astype(d.np, copy=False)
    types = [t._data.dtype for t in ts]

    def backward(node: Node, g: Array) -> Grads:
        return [
            np.take(g, i, axis=axis).astype(dt, copy=False) if wants(node, i) else None
            for i, dt in enumerate(types)
        ]

    return record_op("stack", data, [ts], backward, edges=ts)


def _cut(key: tuple[slice, ...]) -> Callable[[Array], Array]:
    return lambda a: a[key]


def _pieces(
    self: Tensor, bounds: list[tuple[int, int]], axis: int, node: str
) -> tuple[Tensor, ...]:
    """One view per ``(start, stop)`` along ``axis``, each marked as output ``i`` of ``node``."""
    short = node.removesuffix("Backward0")
    out = []
    for i, (start, stop) in enumerate(bounds):
        key = (slice(None),) * axis + (slice(start, stop),)
        piece = make_view(self, _cut(key), node)
        piece._multi_view = (i, short)
        out.append(piece)
    return tuple(out)


def split(self: Tensor, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    axis = _dim(dim, self._data.ndim)
    n = self._data.shape[axis]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        starts = list(range(0, n, size)) or [0]
        bounds = [(s, min(s + size, n)) for s in starts]
        return _pieces(self, bounds, axis, "SplitBackward0")
    sizes = [int(x) for x in split_size_or_sections]
    if sum(sizes) != n:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
            f"at dimension {axis}), but got split_sizes={sizes}"
        )
    edges = np.cumsum([0, *sizes])
    bounds = [(int(edges[i]), int(edges[i + 1])) for i in range(len(sizes))]
    return _pieces(self, bounds, axis, "SplitWithSizesBackward0")


def chunk(self: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    axis = _dim(dim, self._data.ndim)
    n = self._data.shape[axis]
    size = -(-n // chunks) if n else 1
    return split(self, max(size, 1), dim)


def where(condition: Tensor, input: Any = None, other: Any = None) -> Any:
    if input is None and other is None:
        return tuple(Tensor._wrap(i.astype(np.int64)) for i in np.nonzero(condition._data))
    c = condition._data.astype(bool)
    d = result_dtype(input, other)
    a = input._data if isinstance(input, Tensor) else np.asarray(input)
    b = other._data if isinstance(other, Tensor) else np.asarray(other)
    data = np.where(c, a, b).astype(d.np, copy=False)
    a_shape = input._data.shape if isinstance(input, Tensor) else ()
    b_shape = other._data.shape if isinstance(other, Tensor) else ()

    def backward(node: Node, g: Array) -> Grads:
        cond = node.saved("condition").astype(bool)
        return (
            unbroadcast(np.where(cond, g, 0), a_shape) if wants(node, 0) else None,
            unbroadcast(np.where(cond, 0, g), b_shape) if wants(node, 1) else None,
        )

    # the condition is saved but is no edge: it is never differentiable
    return record_op("where", data, [condition, input, other], backward, edges=[input, other])


def where_method(self: Tensor, condition: Tensor, other: Any) -> Tensor:
    """``x.where(condition, y)`` is ``torch.where(condition, x, y)``."""
    result: Tensor = where(condition, self, other)
    return result


def _coords(index: Array, dim: int) -> tuple[Array, ...]:
    coords: list[Array] = list(np.indices(index.shape))
    coords[dim] = index
    return tuple(coords)


def gather(self: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    axis = _dim(dim, self._data.ndim)
    idx = index._data.astype(np.int64)
    data = np.take_along_axis(self._data, idx, axis=axis)
    shape = self._data.shape

    def backward(node: Node, g: Array) -> Grads:
        node.saved("self")
        i = node.saved("index").astype(np.int64)
        out = np.zeros(shape, dtype=g.dtype)
        np.add.at(out, _coords(i, axis), g)
        return (out,)

    return record_op("gather", data, [self, index], backward, edges=[self])


def scatter(self: Tensor, dim: int, index: Tensor, src: Any = None, *, value: Any = None) -> Tensor:
    axis = _dim(dim, self._data.ndim)
    idx = index._data.astype(np.int64)
    coords = _coords(idx, axis)
    fill = value if src is None else src
    data = self._data.copy()
    region = tuple(slice(0, n) for n in idx.shape)
    if isinstance(fill, Tensor):
        data[coords] = fill._data[region]
        s_shape = fill._data.shape

        def backward(node: Node, g: Array) -> Grads:
            i = node.saved("index").astype(np.int64)
            c = _coords(i, axis)
            gself = g.copy()
            gself[c] = 0
            gsrc = None
            if wants(node, 1):
                gsrc = np.asarray(g[c])
                if gsrc.shape != s_shape:
                    raise RuntimeError(
                        "Function ScatterBackward0 returned an invalid gradient at index 1 - got "
                        f"{list(gsrc.shape)} but expected shape compatible with {list(s_shape)}"
                    )
            return (gself if wants(node, 0) else None, gsrc)

        return record_op("scatter", data, [self, index, fill], backward, edges=[self, fill])
    data[coords] = fill

    def backward_v(node: Node, g: Array) -> Grads:
        gself = g.copy()
        gself[_coords(node.saved("index").astype(np.int64), axis)] = 0
        return (gself,)

    return record_op(
        "scatter", data, [self, index], backward_v, name="ScatterBackward1", edges=[self]
    )


def index_select(self: Tensor, dim: int, index: Tensor) -> Tensor:
    axis = _dim(dim, self._data.ndim)
    idx = index._data.astype(np.int64).reshape(-1)
    data = np.take(self._data, idx, axis=axis)
    shape = self._data.shape

    def backward(node: Node, g: Array) -> Grads:
        i = node.saved("index").astype(np.int64).reshape(-1)
        out = np.zeros(shape, dtype=g.dtype)
        moved = np.moveaxis(out, axis, 0)
        np.add.at(moved, i, np.moveaxis(g, axis, 0))
        return (out,)

    return record_op("index_select", data, [self, index], backward, edges=[self])


def masked_fill(self: Tensor, mask: Tensor, value: Any) -> Tensor:
    m = np.broadcast_to(mask._data.astype(bool), self._data.shape)
    v = value.item() if isinstance(value, Tensor) else value

    def backward(node: Node, g: Array) -> Grads:
        saved = np.broadcast_to(node.saved("mask").astype(bool), g.shape)
        return (np.where(saved, 0, g),)

    data = np.where(m, v, self._data).astype(self._data.dtype)
    return record_op("masked_fill", data, [self, mask], backward, edges=[self])


# --------------------------------------------------------------------------- x.new_*
def _new(self: Tensor, data: Array, dtype: Any, requires_grad: bool) -> Tensor:
    from .creation import _finish

    return _finish(data.astype(self._data.dtype) if dtype is None else data, dtype, requires_grad)


def _sizes(size: Sequence[Any]) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], tuple | list):
        return tuple(int(n) for n in size[0])
    return tuple(int(n) for n in size)


def new_tensor(
    self: Tensor, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    from .creation import _infer

    if isinstance(data, Tensor):
        warnings.warn(messages.NEW_TENSOR_COPY_WARNING, UserWarning, stacklevel=2)
    arr = _infer(data)
    return _new(self, arr, dtype, requires_grad)


def new_zeros(
    self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _new(self, np.zeros(_sizes(size)), dtype, requires_grad)


def new_ones(
    self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _new(self, np.ones(_sizes(size)), dtype, requires_grad)


def new_empty(
    self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _new(self, np.zeros(_sizes(size)), dtype, requires_grad)


def new_full(
    self: Tensor,
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _new(self, np.full(_sizes((size,)), fill_value), dtype, requires_grad)


NEW_METHODS: dict[str, Callable[..., Tensor]] = {
    "new_tensor": new_tensor,
    "new_zeros": new_zeros,
    "new_ones": new_ones,
    "new_empty": new_empty,
    "new_full": new_full,
}
"""``x.new_<kind>``: the registry's ``NEW_TENSOR_METHODS``."""
