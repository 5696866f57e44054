"""Value-selecting reductions: ``max``/``min`` (three forms each) and ``topk``.

torch's three forms save different things, which is what makes them worth telling apart:
the full reduction (``MaxBackward1``) saves its input and result; the ``dim`` form
(``MaxBackward0``) and ``topk`` save only the indices they return, so writing the *input* in
place afterwards is harmless but writing the returned indices is not; the binary form is
``maximum`` (``MaximumBackward0``), saving both operands.
"""

from __future__ import annotations

import builtins
from typing import Any, NamedTuple

import numpy as np

from ... import ops as registry
from .dispatch import record, record_op, result_dtype, unbroadcast, wants
from .graph import Array, Grads, Node
from .tensor import Tensor


class ValuesIndices(NamedTuple):
    """``torch.return_types.max`` / ``min`` / ``topk``: a pair with named fields."""

    values: Tensor
    indices: Tensor


def _axis(dim: int, ndim: int) -> int:
    return int(dim) % builtins.max(ndim, 1)


def _scatter_along(g: Array, idx: Array, axis: int, shape: tuple[int, ...]) -> Array:
    out = np.zeros(shape, dtype=g.dtype)
    np.put_along_axis(out, idx, g, axis=axis)
    return out


def _record_indexed(op: str, values: Array, self: Tensor, indices: Tensor, backward: Any) -> Tensor:
    """Record ``values`` saving the returned ``indices`` (the registry's ``saved_outputs``)."""
    spec = registry.spec_of(op)
    assert spec.saved_outputs == (1,) and spec.backward_node is not None
    return record(spec.backward_node, values, [self], backward, save={"indices": indices})


def _full(op: str, self: Tensor, pick: Any) -> Tensor:
    if self._data.size == 0:
        raise RuntimeError(
            f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )
    data = np.asarray(pick(self._data))

    def backward(node: Node, g: Array) -> Grads:
        a, r = node.saved("self"), node.saved("result")
        mask = a == r
        return (np.where(mask, g / mask.sum(), 0).astype(g.dtype),)

    return record_op(op, data, [self], backward)


def _with_dim(op: str, self: Tensor, dim: int, keepdim: bool, largest: bool) -> ValuesIndices:
    axis = _axis(dim, self._data.ndim)
    a = self._data
    idx = np.argmax(a, axis=axis) if largest else np.argmin(a, axis=axis)
    idx = np.expand_dims(idx, axis).astype(np.int64)
    values = np.take_along_axis(a, idx, axis=axis)
    if not keepdim and a.ndim:
        values, idx = np.squeeze(values, axis), np.squeeze(idx, axis)
    indices = Tensor._wrap(idx)
    shape = a.shape

    def backward(node: Node, g: Array) -> Grads:
        i = node.saved("indices")
        gg = g if keepdim or not shape else np.expand_dims(g, axis)
        ii = i if keepdim or not shape else np.expand_dims(i, axis)
        return (_scatter_along(gg, ii, axis, shape),)

    return ValuesIndices(_record_indexed(f"{op}.dim", values, self, indices, backward), indices)


def _binary(op: str, self: Tensor, other: Tensor, upper: bool) -> Tensor:
    d = result_dtype(self, other)
    pick = np.maximum if upper else np.minimum
    data = pick(self._data, other._data).astype(d.np, copy=False)
    s_shape, o_shape = self._data.shape, other._data.shape

    def backward(node: Node, g: Array) -> Grads:
        a, b = node.saved("self"), node.saved("other")
        half = np.where(a == b, g / 2, g)
        a_wins = a > b if upper else a < b
        b_wins = a < b if upper else a > b
        return (
            unbroadcast(np.where(b_wins, 0, half), s_shape) if wants(node, 0) else None,
            unbroadcast(np.where(a_wins, 0, half), o_shape) if wants(node, 1) else None,
        )

    return record_op(op, data, [self, other], backward)


def maximum(self: Tensor, other: Tensor) -> Tensor:
    return _binary("maximum", self, other, True)


def minimum(self: Tensor, other: Tensor) -> Tensor:
    return _binary("minimum", self, other, False)


def max(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    if isinstance(dim, Tensor):
        return maximum(self, dim)
    if dim is None:
        return _full("max", self, np.max)
    return _with_dim("max", self, dim, keepdim, True)


def min(self: Tensor, dim: Any = None, keepdim: bool = False) -> Any:
    if isinstance(dim, Tensor):
        return minimum(self, dim)
    if dim is None:
        return _full("min", self, np.min)
    return _with_dim("min", self, dim, keepdim, False)


def topk(
    self: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> ValuesIndices:
    axis = _axis(dim, self._data.ndim)
    a = self._data
    n = a.shape[axis] if a.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    order = np.argsort(-a if largest else a, axis=axis, kind="stable")
    idx = np.take(order, np.arange(k), axis=axis).astype(np.int64)
    values = np.take_along_axis(a, idx, axis=axis)
    indices = Tensor._wrap(idx)
    shape = a.shape

    def backward(node: Node, g: Array) -> Grads:
        return (_scatter_along(g, node.saved("indices"), axis, shape),)

    return ValuesIndices(_record_indexed("topk", values, self, indices, backward), indices)
