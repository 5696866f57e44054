"""Normalisation layers: ``batch_norm``, ``layer_norm``, ``group_norm``.

Each is one node in torch (``NativeBatchNormBackward0``, ...) that saves its input and weight
(``layer_norm`` also its bias, ``batch_norm`` also the running statistics) plus the batch mean
and inverse std it computed. ``batch_norm`` in training updates ``running_mean`` and
``running_var`` inside the kernel, without bumping their version, as torch does: only a later
visible in-place write to them breaks backward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dispatch import record_op, wants
from ..graph import Array, Grads, Node
from ..tensor import Size, Tensor


def _norm_backward(g: Array, xhat: Array, invstd: Array, axes: tuple[int, ...]) -> Array:
    """Gradient of ``xhat = (x - mean) * invstd`` w.r.t. ``x``, given ``g`` = dL/dxhat."""
    mg = g.mean(axis=axes, keepdims=True)
    mgx = (g * xhat).mean(axis=axes, keepdims=True)
    return np.asarray(invstd * (g - mg - xhat * mgx))


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float | None = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    x = input._data
    axes = (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        count = x.size // x.shape[1]
        if count <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {Size(x.shape)!r}"
            )
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        m = 0.1 if momentum is None else momentum
        if running_mean is not None:  # written by the kernel: no version bump
            running_mean._data[...] = (1 - m) * running_mean._data + m * mean
        if running_var is not None:
            running_var._data[...] = (1 - m) * running_var._data + m * var * count / (count - 1)
    else:
        assert running_mean is not None and running_var is not None
        mean, var = running_mean._data, running_var._data
    invstd = 1.0 / np.sqrt(var + eps)
    xhat = (x - mean.reshape(shape)) * invstd.reshape(shape)
    w = weight._data.reshape(shape) if weight is not None else 1.0
    b = bias._data.reshape(shape) if bias is not None else 0.0
    data = (xhat * w + b).astype(x.dtype)

    def backward(node: Node, g: Array) -> Grads:
        xs = node.saved("input")
        wv = node.saved("weight").reshape(shape) if weight is not None else 1.0
        if not training:
            node.saved("running_mean"), node.saved("running_var")
        xh = (xs - mean.reshape(shape)) * invstd.reshape(shape)
        gx = None
        if wants(node, 0):
            gxh = g * wv
            gx = (
                _norm_backward(gxh, xh, invstd.reshape(shape), axes)
                if training
                else gxh * invstd.reshape(shape)
            )
        gw = (g * xh).sum(axis=axes) if weight is not None and wants(node, 1) else None
        gb = g.sum(axis=axes) if bias is not None and wants(node, 2) else None
        return (gx, gw, gb)

    return record_op(
        "batch_norm",
        data,
        [input, running_mean, running_var, weight, bias],
        backward,
        edges=[input, weight, bias],
    )


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    dims = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    x = input._data
    axes = tuple(range(x.ndim - len(dims), x.ndim))
    mean = x.mean(axis=axes, keepdims=True)
    invstd = 1.0 / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    xhat = (x - mean) * invstd
    w = weight._data if weight is not None else 1.0
    b = bias._data if bias is not None else 0.0
    data = (xhat * w + b).astype(x.dtype)

    def backward(node: Node, g: Array) -> Grads:
        xs = node.saved("input")
        wv = node.saved("weight") if weight is not None else 1.0
        if bias is not None:
            node.saved("bias")
        xh = (xs - mean) * invstd
        lead = tuple(range(x.ndim - len(dims)))
        gx = _norm_backward(g * wv, xh, invstd, axes) if wants(node, 0) else None
        gw = (g * xh).sum(axis=lead) if weight is not None and wants(node, 1) else None
        gb = g.sum(axis=lead) if bias is not None and wants(node, 2) else None
        return (gx, gw, gb)

    return record_op("layer_norm", data, [input, weight, bias], backward)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    x = input._data
    n, c = x.shape[0], x.shape[1]
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got input "
            f"of shape {list(x.shape)} and num_groups={num_groups}"
        )
    grouped = x.reshape(n, num_groups, -1)
    mean = grouped.mean(axis=2, keepdims=True)
    invstd = 1.0 / np.sqrt(grouped.var(axis=2, keepdims=True) + eps)
    xhat = ((grouped - mean) * invstd).reshape(x.shape)
    shape = (1, -1) + (1,) * (x.ndim - 2)
    w = weight._data.reshape(shape) if weight is not None else 1.0
    b = bias._data.reshape(shape) if bias is not None else 0.0
    data = (xhat * w + b).astype(x.dtype)
    axes = (0, *range(2, x.ndim))

    def backward(node: Node, g: Array) -> Grads:
        xs = node.saved("input").reshape(n, num_groups, -1)
        wv = node.saved("weight").reshape(shape) if weight is not None else 1.0
        xh = (xs - mean) * invstd
        gx = None
        if wants(node, 0):
            gxh = np.asarray(g * wv).reshape(n, num_groups, -1)
            gx = _norm_backward(gxh, xh, invstd, (2,)).reshape(x.shape)
        xh_full = xh.reshape(x.shape)
        gw = (g * xh_full).sum(axis=axes) if weight is not None and wants(node, 1) else None
        gb = g.sum(axis=axes) if bias is not None and wants(node, 2) else None
        return (gx, gw, gb)

    return record_op("group_norm", data, [input, weight, bias], backward)
