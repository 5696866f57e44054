"""Differentiable math: arithmetic, unary functions, activations, reductions, matmul.

Each op computes its value with numpy, then ``record_op`` gives the result a node whose name
and saved tensors come from the op registry. A backward rule only reads what the registry says
the op saves (``node.saved("self")``, ``node.saved("result")``): a registry fact that disagrees
with the rule fails loudly instead of silently computing from live values.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import dtypes
from .dispatch import (
    Operand,
    array_of,
    float_dtype,
    record,
    record_op,
    registry_saves,
    result_dtype,
    unbroadcast,
    wants,
)
from .graph import Array, Grads, Node
from .tensor import Tensor


def _as(data: Any, d: dtypes.dtype) -> Array:
    return np.asarray(data).astype(d.np, copy=False)


def _shape(x: Operand) -> tuple[int, ...]:
    return x._data.shape if isinstance(x, Tensor) else ()


def _value(node: Node, key: str, x: Operand) -> Array:
    """A saved input, or the Python number torch wrapped (numbers are not saved tensors)."""
    return node.saved(key) if isinstance(x, Tensor) else np.asarray(x)


def _tensor(x: Any) -> Operand:
    if isinstance(x, Tensor | int | float | bool):
        return x
    if isinstance(x, np.generic):
        return x.item()
    return Tensor._wrap(np.asarray(x))


# --------------------------------------------------------------------------- arithmetic
def add(self: Operand, other: Operand, *, alpha: float = 1) -> Tensor:
    self, other = _tensor(self), _tensor(other)
    d = result_dtype(self, other)
    data = _as(array_of(self) + alpha * array_of(other), d)
    s_shape, o_shape = _shape(self), _shape(other)

    def backward(node: Node, g: Array) -> Grads:
        return (
            unbroadcast(g, s_shape) if wants(node, 0) else None,
            unbroadcast(g * alpha, o_shape) if wants(node, 1) else None,
        )

    return record_op("add", data, [self, other], backward)


def sub(self: Operand, other: Operand, *, alpha: float = 1) -> Tensor:
    self, other = _tensor(self), _tensor(other)
    d = result_dtype(self, other)
    data = _as(array_of(self) - alpha * array_of(other), d)
    s_shape, o_shape = _shape(self), _shape(other)

    def backward(node: Node, g: Array) -> Grads:
        return (
            unbroadcast(g, s_shape) if wants(node, 0) else None,
            unbroadcast(-g * alpha, o_shape) if wants(node, 1) else None,
        )

    return record_op("sub", data, [self, other], backward)


def rsub(self: Tensor, other: Operand, *, alpha: float = 1) -> Tensor:
    """``number - tensor``: torch records ``RsubBackward1`` with a single edge."""
    d = result_dtype(self, other)
    data = _as(array_of(other) - alpha * self._data, d)

    def backward(node: Node, g: Array) -> Grads:
        return (-g * alpha,)

    return record("RsubBackward1", data, [self], backward)


def mul(self: Operand, other: Operand) -> Tensor:
    self, other = _tensor(self), _tensor(other)
    d = result_dtype(self, other)
    data = _as(array_of(self) * array_of(other), d)
    s_shape, o_shape = _shape(self), _shape(other)

    def backward(node: Node, g: Array) -> Grads:
        return (
            unbroadcast(g * _value(node, "other", other), s_shape) if wants(node, 0) else None,
            unbroadcast(g * _value(node, "self", self), o_shape) if wants(node, 1) else None,
        )

    return record_op("mul", data, [self, other], backward)


def div(self: Operand, other: Operand) -> Tensor:
    self, other = _tensor(self), _tensor(other)
    d = float_dtype(self, other)
    with np.errstate(divide="ignore", invalid="ignore"):
        data = _as(np.true_divide(array_of(self), array_of(other)), d)
    s_shape, o_shape = _shape(self), _shape(other)

    def backward(node: Node, g: Array) -> Grads:
        o = _value(node, "other", other)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (
                unbroadcast(g / o, s_shape) if wants(node, 0) else None,
                unbroadcast(-g * _value(node, "self", self) / (o * o), o_shape)
                if wants(node, 1)
                else None,
            )

    return record_op("div", data, [self, other], backward)


def reciprocal(self: Tensor) -> Tensor:
    with np.errstate(divide="ignore"):
        data = _as(1.0 / self._data, float_dtype(self))

    def backward(node: Node, g: Array) -> Grads:
        r = node.saved("result")
        return (-g * r * r,)

    return record("ReciprocalBackward0", data, [self], backward, save_output=True)


def rdiv(self: Tensor, other: Operand) -> Tensor:
    """``number / tensor``: torch computes ``reciprocal(t) * number``."""
    return mul(reciprocal(self), other)


def pow(self: Operand, exponent: Operand) -> Tensor:
    self, exponent = _tensor(self), _tensor(exponent)
    if not isinstance(self, Tensor):
        assert isinstance(exponent, Tensor)
        return _rpow(self, exponent)
    d = result_dtype(self, exponent)
    with np.errstate(all="ignore"):
        data = _as(np.power(self._data.astype(d.np), array_of(exponent)), d)
    if not isinstance(exponent, Tensor):
        e = float(exponent)

        def backward(node: Node, g: Array) -> Grads:
            a = node.saved("self")
            if e == 0:
                return (np.zeros_like(g),)
            with np.errstate(all="ignore"):
                return (g * e * np.power(a, e - 1),)

        return record_op("pow", data, [self, exponent], backward, edges=[self])
    # tensor ** tensor: PowBackward1 also saves its result (torch's derivatives.yaml).
    s_shape, e_shape = self._data.shape, exponent._data.shape

    def backward_t(node: Node, g: Array) -> Grads:
        a, ex, r = node.saved("self"), node.saved("exponent"), node.saved("result")
        with np.errstate(all="ignore"):
            ga = unbroadcast(g * ex * np.power(a, ex - 1), s_shape) if wants(node, 0) else None
            ge = (
                unbroadcast(g * r * np.where(a > 0, np.log(np.abs(a)), 0), e_shape)
                if wants(node, 1)
                else None
            )
        return (ga, ge)

    return record(
        "PowBackward1",
        data,
        [self, exponent],
        backward_t,
        save=registry_saves("pow", [self, exponent]),
        save_output=True,
    )


def _rpow(base: Operand, exponent: Tensor) -> Tensor:
    """``number ** tensor``: ``PowBackward2`` saves the exponent and the result."""
    d = result_dtype(base, exponent)
    b = float(base)
    with np.errstate(all="ignore"):
        data = _as(np.power(b, exponent._data.astype(d.np)), d)

    def backward(node: Node, g: Array) -> Grads:
        r = node.saved("result")
        return (g * r * (math.log(b) if b > 0 else 0.0),)

    return record(
        "PowBackward2", data, [exponent], backward, save={"exponent": exponent}, save_output=True
    )


def rpow(self: Tensor, other: Operand) -> Tensor:
    return _rpow(other, self)


def neg(self: Tensor) -> Tensor:
    def backward(node: Node, g: Array) -> Grads:
        return (-g,)

    return record_op("neg", np.negative(self._data), [self], backward)


# --------------------------------------------------------------------------- unary functions
def _unary(
    op: str, forward: Callable[[Array], Array], rule: Callable[[Node, Array], Array]
) -> Callable[[Tensor], Tensor]:
    """A float-valued elementwise op whose backward is ``rule(node, grad)``."""

    def impl(self: Tensor) -> Tensor:
        d = float_dtype(self)
        with np.errstate(all="ignore"):
            data = _as(forward(self._data.astype(d.np, copy=False)), d)

        def backward(node: Node, g: Array) -> Grads:
            with np.errstate(all="ignore"):
                return (rule(node, g),)

        return record_op(op, data, [self], backward)

    impl.__name__ = op
    impl.__doc__ = f"``torch.{op}``"
    return impl


def _sigmoid(a: Array) -> Array:
    return np.asarray(1.0 / (1.0 + np.exp(-a)))


exp = _unary("exp", np.exp, lambda n, g: g * n.saved("result"))
log = _unary("log", np.log, lambda n, g: g / n.saved("self"))
sin = _unary("sin", np.sin, lambda n, g: g * np.cos(n.saved("self")))
cos = _unary("cos", np.cos, lambda n, g: -g * np.sin(n.saved("self")))
sqrt = _unary("sqrt", np.sqrt, lambda n, g: g / (2 * n.saved("result")))
sigmoid = _unary("sigmoid", _sigmoid, lambda n, g: g * n.saved("result") * (1 - n.saved("result")))
sign = _unary("sign", np.sign, lambda n, g: np.zeros_like(g))
tanh = _unary("tanh", np.tanh, lambda n, g: g * (1 - n.saved("result") ** 2))
silu = _unary(
    "silu",
    lambda a: a * _sigmoid(a),
    lambda n, g: (
        g * _sigmoid(n.saved("self")) * (1 + n.saved("self") * (1 - _sigmoid(n.saved("self"))))
    ),
)


def abs(self: Tensor) -> Tensor:
    def backward(node: Node, g: Array) -> Grads:
        return (g * np.sign(node.saved("self")),)

    return record_op("abs", np.abs(self._data), [self], backward)


def square(self: Tensor) -> Tensor:
    d = result_dtype(self, 2)

    def backward(node: Node, g: Array) -> Grads:
        return (g * 2 * node.saved("self"),)

    return record_op("square", _as(np.square(self._data), d), [self], backward)


def relu(self: Tensor) -> Tensor:
    def backward(node: Node, g: Array) -> Grads:
        return (g * (node.saved("result") > 0),)

    return record_op("relu", np.maximum(self._data, 0).astype(self._data.dtype), [self], backward)


def leaky_relu(self: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    def backward(node: Node, g: Array) -> Grads:
        return (g * np.where(node.saved("self") > 0, 1.0, negative_slope),)

    data = np.where(self._data > 0, self._data, self._data * negative_slope)
    return record_op("leaky_relu", _as(data, self.dtype), [self], backward)


_erf = np.vectorize(math.erf, otypes=[np.float64])


def gelu(self: Tensor, approximate: str = "none") -> Tensor:
    a = self._data.astype(np.float64)
    if approximate == "tanh":
        k = math.sqrt(2 / math.pi)
        inner = k * (a + 0.044715 * a**3)
        data = 0.5 * a * (1 + np.tanh(inner))
    else:
        # ``1 + erf(x / sqrt 2)`` rounded to the tensor's dtype first, as torch's kernel
        # computes it: for x = -8 in float32 that is 0, and gelu(x) is exactly 0
        dtype = self._data.dtype if self._data.dtype.kind == "f" else np.dtype(np.float64)
        erf = _erf(a / math.sqrt(2)).astype(dtype)
        one_plus = (dtype.type(1) + erf).astype(np.float64)
        data = 0.5 * a * one_plus

    def backward(node: Node, g: Array) -> Grads:
        x = node.saved("self").astype(np.float64)
        if approximate == "tanh":
            k = math.sqrt(2 / math.pi)
            t = np.tanh(k * (x + 0.044715 * x**3))
            dt = (1 - t * t) * k * (1 + 3 * 0.044715 * x * x)
            d = 0.5 * (1 + t) + 0.5 * x * dt
        else:
            d = 0.5 * (1 + _erf(x / math.sqrt(2))) + x * np.exp(-0.5 * x * x) / math.sqrt(
                2 * math.pi
            )
        return (g * d.astype(g.dtype),)

    return record_op("gelu", _as(data, self.dtype), [self], backward)


def clamp(self: Tensor, min: float | None = None, max: float | None = None) -> Tensor:
    lo = -np.inf if min is None else min
    hi = np.inf if max is None else max
    data = _as(
        np.clip(self._data, lo, hi), result_dtype(self, *(v for v in (min, max) if v is not None))
    )

    def backward(node: Node, g: Array) -> Grads:
        a = node.saved("self")
        return (g * ((a >= lo) & (a <= hi)),)

    return record_op("clamp", data, [self], backward)


def _dim_of(dim: Any, ndim: int) -> int:
    return int(dim) % max(ndim, 1)


def softmax(self: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    d = _dim_of(-1 if dim is None else dim, self._data.ndim)
    a = self._data.astype(float_dtype(self).np)
    e = np.exp(a - a.max(axis=d, keepdims=True))
    data = e / e.sum(axis=d, keepdims=True)

    def backward(node: Node, g: Array) -> Grads:
        r = node.saved("result")
        return (r * (g - (g * r).sum(axis=d, keepdims=True)),)

    return record_op("softmax", data, [self], backward)


def log_softmax(self: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    d = _dim_of(-1 if dim is None else dim, self._data.ndim)
    a = self._data.astype(float_dtype(self).np)
    shifted = a - a.max(axis=d, keepdims=True)
    data = shifted - np.log(np.exp(shifted).sum(axis=d, keepdims=True))

    def backward(node: Node, g: Array) -> Grads:
        r = node.saved("result")
        return (g - np.exp(r) * g.sum(axis=d, keepdims=True),)

    return record_op("log_softmax", data, [self], backward)


# --------------------------------------------------------------------------- reductions
def _axes(dim: Any, ndim: int) -> tuple[int, ...] | None:
    if dim is None:
        return None
    dims = dim if isinstance(dim, tuple | list) else (dim,)
    return tuple(_dim_of(x, ndim) for x in dims)


def _expand_back(
    g: Array, shape: tuple[int, ...], axes: tuple[int, ...] | None, keep: bool
) -> Array:
    if axes is not None and not keep:
        g = np.expand_dims(g, axes)
    return np.broadcast_to(g, shape).copy()


def sum(self: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    axes = _axes(dim, self._data.ndim)
    d = self.dtype if self.dtype.is_floating_point else dtypes.DEFAULT_INT
    data = _as(self._data.sum(axis=axes, keepdims=keepdim), d)
    shape = self._data.shape

    def backward(node: Node, g: Array) -> Grads:
        return (_expand_back(g, shape, axes, keepdim),)

    name = "SumBackward0" if axes is None else "SumBackward1"
    return record_op("sum", data, [self], backward, name=name)


def mean(self: Tensor, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    if not self.dtype.is_floating_point:
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {self.dtype.tensor_type.removesuffix('Tensor')}"
        )
    axes = _axes(dim, self._data.ndim)
    data = _as(self._data.mean(axis=axes, keepdims=keepdim), self.dtype)
    shape = self._data.shape
    count = self._data.size if axes is None else int(np.prod([shape[a] for a in axes]))

    def backward(node: Node, g: Array) -> Grads:
        return (_expand_back(g, shape, axes, keepdim) / count,)

    name = "MeanBackward0" if axes is None else "MeanBackward1"
    return record_op("mean", data, [self], backward, name=name)


def _prod_others(a: Array, axis: int, result: Array) -> Array:
    """Product of all other elements along ``axis``.

    Like torch: ``result / a`` when no element is zero (so a NaN spreads to every element),
    the exact product of the others otherwise.
    """
    if not (a == 0).any():
        with np.errstate(all="ignore"):
            return np.asarray(result / a)  # ``result`` broadcasts along ``axis``
    moved = np.moveaxis(a, axis, -1)
    ones = np.ones_like(moved[..., :1])
    left = np.cumprod(np.concatenate([ones, moved[..., :-1]], axis=-1), axis=-1)
    right = np.cumprod(np.concatenate([ones, moved[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
    return np.moveaxis(left * right, -1, axis)


def prod(self: Tensor, dim: int | None = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    d = self.dtype if self.dtype.is_floating_point else dtypes.DEFAULT_INT
    shape = self._data.shape
    if dim is None:
        data = _as(self._data.prod(), d)

        def backward(node: Node, g: Array) -> Grads:
            a = node.saved("self")
            r = node.saved("result")
            return (g * _prod_others(a.reshape(-1), 0, r).reshape(shape),)

        return record_op("prod", data, [self], backward, name="ProdBackward0")
    axis = _dim_of(dim, self._data.ndim)
    data = _as(self._data.prod(axis=axis, keepdims=keepdim), d)

    def backward_dim(node: Node, g: Array) -> Grads:
        a = node.saved("self")
        r = node.saved("result")
        r = r if keepdim else np.expand_dims(r, axis)
        return (_expand_back(g, shape, (axis,), keepdim) * _prod_others(a, axis, r),)

    return record_op("prod", data, [self], backward_dim, name="ProdBackward1")


def norm(
    self: Tensor, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None
) -> Tensor:
    order = 2.0 if p in ("fro", None) else float(p)
    axes = _axes(dim, self._data.ndim)
    a = self._data
    if order == 2:
        data = np.sqrt((a * a).sum(axis=axes, keepdims=keepdim))
    elif order == 1:
        data = np.abs(a).sum(axis=axes, keepdims=keepdim)
    elif order == math.inf:
        data = np.abs(a).max(axis=axes, keepdims=keepdim)
    else:
        data = (np.abs(a) ** order).sum(axis=axes, keepdims=keepdim) ** (1 / order)
    shape = a.shape

    def backward(node: Node, g: Array) -> Grads:
        x, r = node.saved("self"), node.saved("result")
        gb = _expand_back(g, shape, axes, keepdim)
        rb = _expand_back(r, shape, axes, keepdim)
        with np.errstate(all="ignore"):
            if order == 2:
                out = np.where(rb == 0, 0, gb * x / rb)
            elif order == 1:
                out = gb * np.sign(x)
            elif order == math.inf:
                mask = np.abs(x) == rb
                out = gb * np.sign(x) * mask / mask.sum(axis=axes, keepdims=True)
            else:
                out = np.where(
                    rb == 0, 0, gb * np.sign(x) * np.abs(x) ** (order - 1) / rb ** (order - 1)
                )
        return (out,)

    return record_op("norm", _as(data, float_dtype(self)), [self], backward)


# --------------------------------------------------------------------------- matmul
def _mm_backward(node: Node, g: Array) -> Grads:
    return (
        g @ node.saved("other").T if wants(node, 0) else None,
        node.saved("self").T @ g if wants(node, 1) else None,
    )


def mm(self: Tensor, mat2: Tensor) -> Tensor:
    data = _as(self._data @ mat2._data, result_dtype(self, mat2))
    return record_op("mm", data, [self, mat2], _mm_backward)


def matmul(self: Tensor, other: Tensor) -> Tensor:
    """``@``: the node torch records depends on the operands' dimensions."""
    from .views import make_view

    a, b = self, other
    d = result_dtype(a, b)
    data = _as(np.matmul(a._data, b._data), d)
    if a._data.ndim == 2 and b._data.ndim == 2:
        return record_op("matmul", data, [a, b], _mm_backward)
    if a._data.ndim == 2 and b._data.ndim == 1:

        def mv_backward(node: Node, g: Array) -> Grads:
            return (
                np.outer(g, node.saved("other")) if wants(node, 0) else None,
                node.saved("self").T @ g if wants(node, 1) else None,
            )

        return record(
            "MvBackward0", data, [a, b], mv_backward, save=registry_saves("matmul", [a, b])
        )
    if a._data.ndim == 1 and b._data.ndim == 1:

        def dot_backward(node: Node, g: Array) -> Grads:
            return (
                g * node.saved("other") if wants(node, 0) else None,
                g * node.saved("self") if wants(node, 1) else None,
            )

        return record(
            "DotBackward0", data, [a, b], dot_backward, save=registry_saves("matmul", [a, b])
        )
    if a._data.ndim == 1 and b._data.ndim == 2:
        row = make_view(a, lambda x: np.expand_dims(x, 0), "UnsqueezeBackward0")
        return _squeeze_inplace(matmul(row, b))
    if a._data.ndim > 2 and b._data.ndim == 2:
        # torch folds the batch into rows: reshape, mm, then an unsafe view back
        from .views import reshape, unsafe_view

        rows = reshape(a, -1, a._data.shape[-1])
        return unsafe_view(matmul(rows, b), data.shape)
    a_shape, b_shape = a._data.shape, b._data.shape

    def batched_backward(node: Node, g: Array) -> Grads:
        x, y = (
            node.saved("self") if wants(node, 1) else None,
            (node.saved("other") if wants(node, 0) else None),
        )
        ga = gb = None
        if y is not None:
            yy = y if y.ndim > 1 else y[:, None]
            gg = g if y.ndim > 1 else g[..., None]
            ga = unbroadcast(gg @ np.swapaxes(yy, -1, -2), a_shape)
        if x is not None:
            xx = x if x.ndim > 1 else x[None, :]
            gg = g if x.ndim > 1 else g[..., None, :]
            if b._data.ndim == 1:
                gb = unbroadcast((np.swapaxes(xx, -1, -2) @ g[..., None])[..., 0], b_shape)
            else:
                gb = unbroadcast(np.swapaxes(xx, -1, -2) @ gg, b_shape)
        return (ga, gb)

    return record(
        "BmmBackward0", data, [a, b], batched_backward, save=registry_saves("matmul", [a, b])
    )


def _squeeze_inplace(t: Tensor) -> Tensor:
    """torch's ``mm(...).squeeze_(0)``: the result is squeezed in place (version 1)."""
    t._data = t._data.reshape(t._data.shape[1:])
    t._version_counter.value += 1
    if t._grad_fn is not None:

        def backward(node: Node, g: Array) -> Grads:
            return (np.expand_dims(g, 0),)

        t._grad_fn = record("SqueezeBackward4", t._data, [t], backward)._grad_fn
    return t


# --------------------------------------------------------------------------- copies, casts
def clone(self: Tensor, *, memory_format: Any = None) -> Tensor:
    def backward(node: Node, g: Array) -> Grads:
        return (g,)

    return record_op("clone", np.array(self._data, copy=True, order="C"), [self], backward)


def to_dtype(self: Tensor, target: dtypes.dtype) -> Tensor:
    if self.dtype is target:
        return self
    if not target.is_floating_point:  # an integer or bool copy has no gradient
        return Tensor._wrap(self._data.astype(target.np))
    source = self._data.dtype

    def backward(node: Node, g: Array) -> Grads:
        return (g.astype(source),)

    return record("ToCopyBackward0", self._data.astype(target.np), [self], backward)


# --------------------------------------------------------------------------- non-differentiable
def argmax(self: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmax(self._data), dtype=np.int64))
    return Tensor._wrap(np.argmax(self._data, axis=dim, keepdims=keepdim).astype(np.int64))


def argmin(self: Tensor, dim: int | None = None, keepdim: bool = False) -> Tensor:
    if dim is None:
        return Tensor._wrap(np.asarray(np.argmin(self._data), dtype=np.int64))
    return Tensor._wrap(np.argmin(self._data, axis=dim, keepdims=keepdim).astype(np.int64))


def one_hot(self: Tensor, num_classes: int = -1) -> Tensor:
    """``F.one_hot``: int64 codes of an integer tensor (never requires grad), with torch's
    errors for other dtypes and for classes out of range."""
    if self._data.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    codes = self._data
    if codes.size and codes.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        num_classes = int(codes.max()) + 1 if codes.size else 0
    elif codes.size and codes.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    data = (codes[..., None] == np.arange(num_classes)).astype(np.int64)
    result = Tensor._wrap(data)
    result._version_counter.value = 2  # torch fills zeros, then scatters: two writes
    return result


def _compare(fn: Callable[[Any, Any], Any]) -> Callable[[Tensor, Operand], Tensor]:
    def impl(self: Tensor, other: Operand) -> Tensor:
        return Tensor._wrap(np.asarray(fn(self._data, array_of(_tensor(other)))))

    return impl


eq = _compare(np.equal)
ne = _compare(np.not_equal)
gt = _compare(np.greater)
lt = _compare(np.less)
ge = _compare(np.greater_equal)
le = _compare(np.less_equal)
