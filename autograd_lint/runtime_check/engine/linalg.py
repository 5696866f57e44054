"""Batched matrix products: ``bmm`` and ``baddbmm``.

Both save each batch of matrices for the other's gradient only ("cross"), like ``mm``; the
added term of ``baddbmm`` is never saved.
"""

from __future__ import annotations

import numpy as np

from .dispatch import record_op, result_dtype, unbroadcast, wants
from .graph import Array, Grads, Node
from .tensor import Tensor


def _check3(name: str, t: Tensor) -> None:
    if t._data.ndim != 3:
        raise RuntimeError(f"{name} must be a 3D tensor")


def bmm(self: Tensor, mat2: Tensor) -> Tensor:
    _check3("batch1", self)
    _check3("batch2", mat2)
    data = np.matmul(self._data, mat2._data).astype(result_dtype(self, mat2).np, copy=False)

    def backward(node: Node, g: Array) -> Grads:
        return (
            g @ np.swapaxes(node.saved("other"), 1, 2) if wants(node, 0) else None,
            np.swapaxes(node.saved("self"), 1, 2) @ g if wants(node, 1) else None,
        )

    return record_op("bmm", data, [self, mat2], backward)


def baddbmm(
    self: Tensor, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1
) -> Tensor:
    _check3("batch1", batch1)
    _check3("batch2", batch2)
    d = result_dtype(self, batch1, batch2)
    prod = np.matmul(batch1._data, batch2._data)
    data = (beta * self._data + alpha * prod).astype(d.np, copy=False)
    s_shape = self._data.shape

    def backward(node: Node, g: Array) -> Grads:
        return (
            unbroadcast(g * beta, s_shape) if wants(node, 0) else None,
            alpha * g @ np.swapaxes(node.saved("batch2"), 1, 2) if wants(node, 1) else None,
            alpha * np.swapaxes(node.saved("batch1"), 1, 2) @ g if wants(node, 2) else None,
        )

    return record_op("baddbmm", data, [self, batch1, batch2], backward)
