"""Batched matrix products (``bmm``, ``baddbmm``) and the per-slice norm cap ``renorm``.

Both products save each batch of matrices for the other's gradient only ("cross"), like
``mm``; the added term of ``baddbmm`` is never saved. ``renorm`` saves its input: its
gradient differentiates the scale too, as torch's ``renorm_backward`` does.
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


def _number(name: str, value: object) -> float:
    """A scalar argument as torch takes it: a number, or a tensor of one element."""
    if isinstance(value, Tensor):
        if value._data.size != 1:
            raise TypeError(f"renorm(): argument '{name}' must be Number, not Tensor")
        return float(value._data.reshape(()))
    return float(value)  # type: ignore[arg-type]


def renorm(self: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to it
    (``maxnorm / (norm + 1e-7)``, torch's factor); the others left as they are."""
    p, maxnorm = _number("p", p), _number("maxnorm", maxnorm)
    a = self._data
    if a.ndim < 2:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {a.ndim} dimensions")
    d = int(dim) % a.ndim
    axes = tuple(i for i in range(a.ndim) if i != d)
    x = a.astype(np.float64)
    norm = (np.abs(x) ** p).sum(axis=axes, keepdims=True) ** (1.0 / p)
    capped = norm > maxnorm
    scale = np.where(capped, maxnorm / (norm + 1e-7), 1.0)
    data = (x * scale).astype(a.dtype, copy=False)

    def backward(node: Node, g: Array) -> Grads:
        s = node.saved("self").astype(np.float64)
        n = (np.abs(s) ** p).sum(axis=axes, keepdims=True) ** (1.0 / p)
        cap = n > maxnorm
        k = np.where(cap, maxnorm / (n + 1e-7), 1.0)
        safe = np.where(cap, n, 1.0)
        # d norm / d x = sign(x) |x|^(p-1) / norm^(p-1); d k / d norm = -maxnorm / (norm+eps)^2
        dn = np.sign(s) * np.abs(s) ** (p - 1) / safe ** (p - 1)
        dk = np.where(cap, -maxnorm / (n + 1e-7) ** 2, 0.0)
        grad = g * k + dn * dk * (g * s).sum(axis=axes, keepdims=True)
        return (grad.astype(g.dtype, copy=False),)

    return record_op("renorm", data, [self], backward)
