"""Attach the op registry to the engine: tensor methods, in-place twins, operators, functions.

What is a method, a ``torch.<name>`` function or a ``torch.nn.functional.<name>`` function,
and which in-place twin an op has, is read from ``autograd_lint.ops``; this module only maps
each registry name to its implementation.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from ... import ops as registry
from . import functional_ops, linalg, losses, math_ops, resample, selection, shape_ops, views
from .inplace_ops import EXTRA_INPLACE, clamp_min, make_twin
from .layers import activation, conv, norm
from .metadata_inplace import METADATA_INPLACE
from .tensor import Tensor

Impl = Callable[..., Any]


IMPLEMENTATIONS: dict[str, Impl] = {
    "add": math_ops.add,
    "sub": math_ops.sub,
    "mul": math_ops.mul,
    "div": math_ops.div,
    "matmul": math_ops.matmul,
    "mm": math_ops.mm,
    "pow": math_ops.pow,
    "neg": math_ops.neg,
    "exp": math_ops.exp,
    "log": math_ops.log,
    "sin": math_ops.sin,
    "cos": math_ops.cos,
    "sqrt": math_ops.sqrt,
    "abs": math_ops.abs,
    "square": math_ops.square,
    "sign": math_ops.sign,
    "renorm": linalg.renorm,
    "clamp": math_ops.clamp,
    "sigmoid": math_ops.sigmoid,
    "tanh": math_ops.tanh,
    "relu": math_ops.relu,
    "gelu": math_ops.gelu,
    "silu": math_ops.silu,
    "leaky_relu": math_ops.leaky_relu,
    "softmax": math_ops.softmax,
    "log_softmax": math_ops.log_softmax,
    "sum": math_ops.sum,
    "mean": math_ops.mean,
    "prod": math_ops.prod,
    "norm": math_ops.norm,
    "view": views.view,
    "t": views.t,
    "transpose": views.transpose,
    "permute": views.permute,
    "unsqueeze": views.unsqueeze,
    "squeeze": views.squeeze,
    "expand": views.expand,
    "__getitem__": views.getitem,
    "repeat": resample.repeat,
    "interpolate": resample.interpolate,
    "reshape": views.reshape,
    "flatten": views.flatten,
    "contiguous": views.contiguous,
    "clone": math_ops.clone,
    "detach": Tensor.detach,
    "argmax": math_ops.argmax,
    "one_hot": math_ops.one_hot,
    "argmin": math_ops.argmin,
    "eq": math_ops.eq,
    "gt": math_ops.gt,
    "lt": math_ops.lt,
    "linear": functional_ops.linear,
    "mse_loss": functional_ops.mse_loss,
    "l1_loss": functional_ops.l1_loss,
    "cross_entropy": functional_ops.cross_entropy,
    "nll_loss": functional_ops.nll_loss,
    "binary_cross_entropy": functional_ops.binary_cross_entropy,
    "binary_cross_entropy_with_logits": functional_ops.binary_cross_entropy_with_logits,
    "kl_div": losses.kl_div,
    "smooth_l1_loss": losses.smooth_l1_loss,
    "cat": shape_ops.cat,
    "stack": shape_ops.stack,
    "split": shape_ops.split,
    "chunk": shape_ops.chunk,
    "where": shape_ops.where,
    "max": selection.max,
    "min": selection.min,
    "maximum": selection.maximum,
    "minimum": selection.minimum,
    "topk": selection.topk,
    "gather": shape_ops.gather,
    "scatter": shape_ops.scatter,
    "index_select": shape_ops.index_select,
    "masked_fill": shape_ops.masked_fill,
    "bmm": linalg.bmm,
    "baddbmm": linalg.baddbmm,
    "softplus": activation.softplus,
    "normalize": activation.normalize,
    "dropout": activation.dropout,
    "embedding": activation.embedding,
    "elu": activation.elu,
    "hardtanh": activation.hardtanh,
    "conv1d": conv.conv1d,
    "conv2d": conv.conv2d,
    "max_pool2d": conv.max_pool2d,
    "avg_pool2d": conv.avg_pool2d,
    "adaptive_avg_pool2d": conv.adaptive_avg_pool2d,
    "batch_norm": norm.batch_norm,
    "layer_norm": norm.layer_norm,
    "group_norm": norm.group_norm,
}
"""Registry op name -> implementation (the tests check every registry entry has one)."""

_DUNDERS: dict[str, tuple[str, str | None]] = {
    "+": ("__add__", "__radd__"),
    "-": ("__sub__", "__rsub__"),
    "*": ("__mul__", "__rmul__"),
    "/": ("__truediv__", "__rtruediv__"),
    "@": ("__matmul__", None),
    "**": ("__pow__", "__rpow__"),
}
_REFLECTED: dict[str, Impl] = {
    "__radd__": math_ops.add,
    "__rsub__": math_ops.rsub,
    "__rmul__": math_ops.mul,
    "__rtruediv__": math_ops.rdiv,
    "__rpow__": math_ops.rpow,
}


def _inplace_operator(method: str) -> Impl:
    def operator(self: Tensor, other: Any) -> Tensor:
        result: Tensor = getattr(self, method)(other)
        return result

    return operator


_FUNCTIONAL_INPLACE: dict[str, Impl] = {"leaky_relu": activation.leaky_relu_}
"""``F.<op>(x, inplace=True)`` forms that record a node of their own (``LeakyReluBackward1``)."""


def _functional(impl: Impl, twin: Impl | None, inplace_kwarg: bool = False) -> Impl:
    """``F.<op>(input, ..., inplace=False)``: the twin, or the op's own ``inplace`` handling."""

    def functional(input: Any, *args: Any, inplace: bool = False, **kwargs: Any) -> Any:
        if inplace and twin is not None:
            return twin(input, *args, **kwargs)
        if inplace and inplace_kwarg:
            return impl(input, *args, inplace=True, **kwargs)
        return impl(input, *args, **kwargs)

    functional.__name__ = impl.__name__
    return functional


INPLACE: dict[str, Impl] = {}
"""In-place method name -> implementation (twins and the write-only methods)."""
FUNCTIONS: dict[str, Impl] = {}
"""``torch.<name>`` functions from the registry."""
FUNCTIONAL: dict[str, Impl] = {}
"""``torch.nn.functional.<name>`` functions from the registry."""


def _quiet(impl: Impl) -> Impl:
    """torch computes inf and NaN without warnings; numpy would warn. torch's argument
    parser also takes numpy's ``axis=`` for ``dim=`` (``torch.argmax(x, axis=0)``)."""
    quiet = np.errstate(all="ignore")(impl)

    @functools.wraps(impl)
    def op(*args: Any, **kwargs: Any) -> Any:
        if "axis" in kwargs and "dim" not in kwargs:
            kwargs["dim"] = kwargs.pop("axis")
        return quiet(*args, **kwargs)

    return op


def bind() -> None:
    """Attach every registry op to ``Tensor`` and fill the function tables."""
    for name, spec in registry.OPS.items():
        impl = _quiet(IMPLEMENTATIONS[name])
        twin = make_twin(impl) if spec.inplace else None
        if spec.method:
            setattr(Tensor, name, impl)
        if twin is not None and spec.inplace:
            INPLACE[spec.inplace] = twin
        if spec.function:
            FUNCTIONS[name] = impl
        if spec.functional:
            own = _FUNCTIONAL_INPLACE.get(name)
            if own is not None:
                FUNCTIONAL[name] = _functional(impl, _quiet(own))
            else:
                FUNCTIONAL[name] = _functional(impl, twin, spec.inplace_kwarg)
        if spec.operator:
            forward, reflected = _DUNDERS[spec.operator]
            setattr(Tensor, forward, impl)
            if reflected:
                setattr(Tensor, reflected, _quiet(_REFLECTED[reflected]))
    INPLACE.update({name: _quiet(impl) for name, impl in EXTRA_INPLACE.items()})
    INPLACE.update({name: _quiet(impl) for name, impl in METADATA_INPLACE.items()})
    for name, impl in INPLACE.items():
        setattr(Tensor, name, impl)
    for augmented, method in registry.AUGMENTED_INPLACE.items():
        setattr(Tensor, f"__i{_DUNDERS[augmented[:-1]][0][2:]}", _inplace_operator(method))
    extras: dict[str, Impl] = {
        "__neg__": math_ops.neg,
        "__abs__": math_ops.abs,
        "__pos__": lambda self: self,
        "__setitem__": views.setitem,
        "__eq__": math_ops.eq,
        "__ne__": math_ops.ne,
        "__gt__": math_ops.gt,
        "__lt__": math_ops.lt,
        "__ge__": math_ops.ge,
        "__le__": math_ops.le,
        "ne": math_ops.ne,
        "ge": math_ops.ge,
        "le": math_ops.le,
        "reciprocal": math_ops.reciprocal,
        "clamp_min": clamp_min,
        "where": shape_ops.where_method,
        **shape_ops.NEW_METHODS,
        "expand_as": views.expand_as,
        "view_as": lambda self, other: views.view(self, *other.shape),
        "reshape_as": lambda self, other: views.reshape(self, *other.shape),
    }
    for name, impl in extras.items():
        setattr(Tensor, name, impl)
    Tensor.T = property(lambda self: views.permute(self, *reversed(range(self.dim()))))  # type: ignore[attr-defined]
