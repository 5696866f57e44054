"""Losses beyond ``functional_ops``: ``kl_div`` and ``smooth_l1_loss``.

``kl_div`` is a composition in torch (``xlogy``, ``mul``, ``sub``, then the reduction), so its
graph and what it saves are those of the pieces; ``smooth_l1_loss`` is one node that saves
both its input and target.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .dispatch import record, record_op, wants
from .graph import Array, Grads, Node
from .math_ops import div, exp, mean, mul, sub
from .math_ops import sum as sum_
from .tensor import Tensor

KL_DIV_MEAN_WARNING = (
    "reduction: 'mean' divides the total loss by both the batch size and the support size."
    "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
    "'mean' will be changed to behave the same as 'batchmean' in the next major release."
)


def xlogy(self: Tensor, other: Tensor) -> Tensor:
    """``self * log(other)``, 0 where ``self`` is 0 (``XlogyBackward0`` saves both)."""
    a, b = self._data, other._data
    with np.errstate(divide="ignore", invalid="ignore"):
        data = np.where(a == 0, 0.0, a * np.log(b)).astype(a.dtype)

    def backward(node: Node, g: Array) -> Grads:
        x, y = node.saved("self"), node.saved("other")
        with np.errstate(divide="ignore", invalid="ignore"):
            return (
                g * np.where(x != 0, np.log(y), 0) if wants(node, 0) else None,
                g * x / y if wants(node, 1) else None,
            )

    saves = {"self": self, "other": other}
    return record("XlogyBackward0", data, [self, other], backward, save=saves)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return sum_(loss)
    return loss


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    if reduction == "mean":
        warnings.warn(KL_DIV_MEAN_WARNING, UserWarning, stacklevel=2)
    if log_target:
        loss = mul(exp(target), sub(target, input))
    else:
        loss = sub(xlogy(target, target), mul(target, input))
    if reduction == "batchmean":
        return div(sum_(loss), input._data.shape[0] if input._data.ndim else 1)
    return _reduce(loss, reduction)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    d = input._data - target._data
    ad = np.abs(d)
    loss = np.where(ad < beta, 0.5 * d * d / beta if beta else 0.0, ad - 0.5 * beta)
    if reduction == "mean":
        data, n = np.asarray(loss.mean()), float(max(loss.size, 1))
    elif reduction == "sum":
        data, n = np.asarray(loss.sum()), 1.0
    else:
        data, n = loss, 1.0

    def backward(node: Node, g: Array) -> Grads:
        dd = node.saved("input") - node.saved("target")
        slope = np.where(np.abs(dd) < beta, dd / beta if beta else 0.0, np.sign(dd))
        gg = g if reduction == "none" else np.broadcast_to(g / n, dd.shape)
        base = slope * gg
        return (base if wants(node, 0) else None, -base if wants(node, 1) else None)

    return record_op("smooth_l1_loss", data.astype(input._data.dtype), [input, target], backward)
