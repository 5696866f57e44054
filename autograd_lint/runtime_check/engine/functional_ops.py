"""``torch.nn.functional`` ops beyond activations: ``linear`` and the losses.

``linear`` is built the way torch's kernel decomposes it (``addmm`` over ``weight.t()``, with
views around it for 1-D and N-D inputs), so its graph, node names and saved tensors follow
torch for every input rank. ``l1_loss`` and ``cross_entropy`` are compositions in torch too
(``sub``/``abs``/``mean`` and ``log_softmax``/``nll_loss``): that is why the registry marks
them as saving internals.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import views
from .dispatch import record, record_op, registry_saves, unbroadcast, wants
from .graph import Array, Grads, Node
from .math_ops import abs as abs_
from .math_ops import log_softmax, matmul, mean, mul, neg, sub
from .math_ops import sum as sum_
from .tensor import Tensor


def _addmm(bias: Tensor, mat1: Tensor, mat2: Tensor, saves: dict[str, Tensor]) -> Tensor:
    data = (mat1._data @ mat2._data + bias._data).astype(mat1._data.dtype)
    b_shape = bias._data.shape

    def backward(node: Node, g: Array) -> Grads:
        return (
            unbroadcast(g, b_shape) if wants(node, 0) else None,
            g @ node.saved("mat2").T if wants(node, 1) else None,
            node.saved("mat1").T @ g if wants(node, 2) else None,
        )

    return record("AddmmBackward0", data, [bias, mat1, mat2], backward, save=saves)


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    wt = views.t(weight)
    if bias is None:
        if input._data.ndim <= 2:
            return matmul(input, wt)
        return matmul(input, wt)
    x2 = input if input._data.ndim == 2 else views.view(input, -1, input._data.shape[-1])
    # addmm saves each matrix for the other's gradient; the registry's "cross" rule for
    # linear would also count the bias, which addmm never multiplies with.
    named = registry_saves("linear", [input, weight])
    saves = {}
    if "input" in named:
        saves["mat1"] = x2
    if "weight" in named:
        saves["mat2"] = wt
    out = _addmm(bias, x2, wt, saves)
    if input._data.ndim == 2:
        return out
    return views.view(out, *input._data.shape[:-1], weight._data.shape[0])


def _reduce(loss: Array, reduction: str) -> tuple[Array, float]:
    if reduction == "mean":
        return np.asarray(loss.mean()), float(max(loss.size, 1))
    if reduction == "sum":
        return np.asarray(loss.sum()), 1.0
    return loss, 1.0


def _spread(g: Array, shape: tuple[int, ...], reduction: str, n: float) -> Array:
    if reduction == "none":
        return g
    return np.broadcast_to(g / n, shape)


def mse_loss(input: Tensor, target: Tensor, reduction: str = "mean", **_: Any) -> Tensor:
    diff = input._data - target._data
    data, n = _reduce(diff * diff, reduction)
    shape = diff.shape

    def backward(node: Node, g: Array) -> Grads:
        d = node.saved("input") - node.saved("target")
        base = 2 * d * _spread(g, shape, reduction, n)
        return (
            unbroadcast(base, input._data.shape) if wants(node, 0) else None,
            unbroadcast(-base, target._data.shape) if wants(node, 1) else None,
        )

    return record_op("mse_loss", data.astype(input._data.dtype), [input, target], backward)


def l1_loss(input: Tensor, target: Tensor, reduction: str = "mean", **_: Any) -> Tensor:
    loss = abs_(sub(input, target))
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return sum_(loss)
    return loss


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    **_: Any,
) -> Tensor:
    x = input._data
    batched = x.ndim == 2
    logp = x if batched else x[None, :]
    t = target._data.astype(np.int64).reshape(-1)
    keep = t != ignore_index
    rows = np.arange(len(t))
    picked = np.where(keep, -logp[rows, np.where(keep, t, 0)], 0)
    count = float(keep.sum())
    if reduction == "mean":
        data = np.asarray(picked.sum() / count if count else np.nan)
    elif reduction == "sum":
        data = np.asarray(picked.sum())
    else:
        data = picked if batched else picked[0]

    def backward(node: Node, g: Array) -> Grads:
        node.saved("target")
        gi = np.zeros_like(logp)
        scale = g / count if reduction == "mean" else g
        scale = np.broadcast_to(scale, t.shape) if reduction == "none" else np.full(t.shape, scale)
        gi[rows[keep], t[keep]] = -scale[keep]
        return (gi if batched else gi[0],)

    return record_op("nll_loss", data.astype(x.dtype), [input, target], backward, edges=[input])


def _div_by_count(total: Tensor, count: int) -> Tensor:
    """``total / count`` with a Python number: torch's ``DivBackward1``, one edge."""
    data = (total._data / count).astype(total._data.dtype)

    def backward(node: Node, g: Array) -> Grads:
        return (g / count,)

    return record("DivBackward1", data, [total], backward)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    **_: Any,
) -> Tensor:
    dim = 1 if input._data.ndim >= 2 else 0
    if target._data.dtype.kind == "f" and target._data.shape == input._data.shape:
        # class probabilities: torch composes -(log_softmax(input) * target), summed over
        # the class dim ('none') or over everything, then divided by the batch size ('mean')
        product = mul(log_softmax(input, dim), target)
        if reduction == "none":
            return neg(sum_(product, dim))
        total = neg(sum_(product))
        if reduction == "sum":
            return total
        return _div_by_count(total, input._data.shape[0] if input._data.ndim >= 2 else 1)
    return nll_loss(log_softmax(input, dim), target, ignore_index=ignore_index, reduction=reduction)


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Any = None, reduction: str = "mean", **_: Any
) -> Tensor:
    x, t = input._data, target._data
    with np.errstate(divide="ignore"):
        loss = -(t * np.maximum(np.log(x), -100) + (1 - t) * np.maximum(np.log(1 - x), -100))
    data, n = _reduce(loss, reduction)
    shape = loss.shape

    def backward(node: Node, g: Array) -> Grads:
        xs, ts = node.saved("input"), node.saved("target")
        gg = _spread(g, shape, reduction, n)
        with np.errstate(divide="ignore", invalid="ignore"):
            gx = gg * (xs - ts) / np.maximum(xs * (1 - xs), 1e-12)
            gt = gg * (np.maximum(np.log(1 - xs), -100) - np.maximum(np.log(xs), -100))
        return (gx if wants(node, 0) else None, gt if wants(node, 1) else None)

    return record_op("binary_cross_entropy", data.astype(x.dtype), [input, target], backward)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
    **_: Any,
) -> Tensor:
    x, t = input._data, target._data
    loss = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    data, n = _reduce(loss, reduction)
    shape = loss.shape

    def backward(node: Node, g: Array) -> Grads:
        xs, ts = node.saved("input"), node.saved("target")
        gg = _spread(g, shape, reduction, n)
        sig = 1.0 / (1.0 + np.exp(-xs))
        return (gg * (sig - ts) if wants(node, 0) else None, -gg * xs if wants(node, 1) else None)

    return record_op(
        "binary_cross_entropy_with_logits", data.astype(x.dtype), [input, target], backward
    )
