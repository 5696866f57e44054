"""``torch.nn.functional`` activations and layers beyond the core math: ``softplus``, ``elu``,
``hardtanh``, the in-place ``leaky_relu_``/``elu_``, ``normalize``, ``dropout``, ``embedding``.

The in-place forms are separate because torch records different nodes for them
(``LeakyReluBackward1`` and ``EluBackward1`` save the *result*, not the input): a later write
to the activated tensor is what breaks backward, as in torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import dtypes
from ..dispatch import apply_inplace, record, record_op
from ..graph import Array, Grads, Node
from ..tensor import Tensor


def _sig(a: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-a)))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    x = input._data
    with np.errstate(over="ignore"):
        data = np.where(x * beta > threshold, x, np.log1p(np.exp(beta * x)) / beta)

    def backward(node: Node, g: Array) -> Grads:
        a = node.saved("self")
        return (np.where(a * beta > threshold, g, g * _sig(beta * a)).astype(g.dtype),)

    return record_op("softplus", data.astype(x.dtype), [input], backward)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    if inplace:
        return elu_(input, alpha)
    x = input._data
    data = np.where(x > 0, x, alpha * np.expm1(x)).astype(x.dtype)

    def backward(node: Node, g: Array) -> Grads:
        a = node.saved("self")
        return (np.where(a > 0, g, g * alpha * np.exp(a)).astype(g.dtype),)

    return record_op("elu", data, [input], backward)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    def compute() -> Tensor:
        x = input._data
        data = np.where(x > 0, x, alpha * np.expm1(x)).astype(x.dtype)

        def backward(node: Node, g: Array) -> Grads:
            r = node.saved("result")
            return (np.where(r > 0, g, g * (r + alpha)).astype(g.dtype),)

        return record("EluBackward1", data, [input], backward, save_output=True)

    return apply_inplace(input, [], compute)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    def compute() -> Tensor:
        data = np.clip(input._data, min_val, max_val).astype(input._data.dtype)

        def backward(node: Node, g: Array) -> Grads:
            a = node.saved("self")
            return (np.where((a > min_val) & (a < max_val), g, 0).astype(g.dtype),)

        return record_op("hardtanh", data, [input], backward)

    if inplace:  # the old input is saved as a copy: later writes cannot invalidate it
        return apply_inplace(input, [], compute)
    return compute()


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    def compute() -> Tensor:
        x = input._data
        data = np.where(x > 0, x, x * negative_slope).astype(x.dtype)

        def backward(node: Node, g: Array) -> Grads:
            r = node.saved("result")
            return (np.where(r > 0, g, g * negative_slope).astype(g.dtype),)

        return record("LeakyReluBackward1", data, [input], backward, save_output=True)

    return apply_inplace(input, [], compute)


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None
) -> Tensor:
    """torch's composition: ``input / norm(...).clamp_min(eps).expand_as(input)``."""
    from ..inplace_ops import clamp_min
    from ..math_ops import div, norm
    from ..views import expand_as

    denom = expand_as(clamp_min(norm(input, p, dim, keepdim=True), eps), input)
    return div(input, denom)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """torch's CPU dropout: the input itself for ``p == 0``, eval or no elements; otherwise
    ``input * mask`` with a Bernoulli(1 - p) mask scaled by ``1 / (1 - p)`` (saved by the mul)."""
    if p < 0 or p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input._data.size == 0:
        return input
    from ..creation import RNG
    from ..math_ops import mul

    if p == 1:
        noise = Tensor._wrap(np.zeros((), dtype=input._data.dtype))
    else:
        keep = RNG.random(input._data.shape) < (1 - p)
        noise = Tensor._wrap((keep / (1 - p)).astype(input._data.dtype))
    if inplace:
        result: Tensor = input.mul_(noise)  # type: ignore[attr-defined]
        return result
    return mul(input, noise)


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    if input.dtype not in (dtypes.int64, dtypes.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got torch.{input.dtype.tensor_type} instead (while checking "
            "arguments for embedding)"
        )
    idx = input._data.astype(np.int64)
    rows = weight._data.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= rows):  # a negative index too
        raise IndexError("index out of range in self")
    pad = None if padding_idx is None else padding_idx % rows
    data = weight._data[idx]
    shape = weight._data.shape

    def backward(node: Node, g: Array) -> Grads:
        i = node.saved("input").astype(np.int64).reshape(-1)
        gg = g.reshape(len(i), -1)
        out = np.zeros((shape[0], gg.shape[1]), dtype=g.dtype)
        keep = i != pad if pad is not None else np.ones(len(i), dtype=bool)
        np.add.at(out, i[keep], gg[keep])
        return (out.reshape(shape),)

    return record_op("embedding", data, [input, weight], backward, edges=[weight])
