"""In-place methods: the registry's twins (``sigmoid_``) and the write-only ones (``zero_``).

A twin runs its op out of place and writes the result into the receiver (``apply_inplace``),
so its node and saving rules are the op's own. The write-only methods below have nodes of
their own (``ZeroBackward0``, ``CopyBackwards``, ...), named as torch names them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .dispatch import apply_inplace, record, unbroadcast, wants
from .graph import Array, Grads, Node
from .tensor import Tensor


def make_twin(impl: Callable[..., Tensor]) -> Callable[..., Tensor]:
    """``op_(self, ...)`` from ``op(self, ...)``."""

    def twin(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        others = [*args, *kwargs.values()]
        return apply_inplace(self, others, lambda: impl(self, *args, **kwargs))

    return twin


def _zeros(node: Node, g: Array) -> Grads:
    return (np.zeros_like(g),)


def zero_(self: Tensor) -> Tensor:
    return apply_inplace(
        self, [], lambda: record("ZeroBackward0", np.zeros_like(self._data), [self], _zeros)
    )


def fill_(self: Tensor, value: Any) -> Tensor:
    if isinstance(value, Tensor):
        src = value

        def backward(node: Node, g: Array) -> Grads:
            return (np.zeros_like(g), np.asarray(g.sum()) if wants(node, 1) else None)

        return apply_inplace(
            self,
            [src],
            lambda: record(
                "FillBackward3", np.full_like(self._data, src.item()), [self, src], backward
            ),
        )
    return apply_inplace(
        self,
        [],
        lambda: record("FillBackward2", np.full_like(self._data, value), [self], _zeros),
    )


def copy_(self: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    src_shape = src._data.shape if isinstance(src, Tensor) else ()
    src_dtype = src._data.dtype if isinstance(src, Tensor) else None

    def compute() -> Tensor:
        value = src._data if isinstance(src, Tensor) else np.asarray(src)
        shape = np.broadcast_shapes(value.shape, self._data.shape)
        if shape != self._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast "
                f"shape {list(shape)}"
            )
        data = np.broadcast_to(value, self._data.shape).astype(self._data.dtype)

        def backward(node: Node, g: Array) -> Grads:
            gs = None
            if wants(node, 1):
                gs = unbroadcast(g, src_shape)
                if src_dtype is not None:
                    gs = gs.astype(src_dtype)
            return (np.zeros_like(g), gs)

        return record("CopyBackwards", data, [self, src], backward)

    return apply_inplace(self, [src], compute)


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    from .creation import NORMAL_KERNEL, RNG, require_floating

    require_floating(self.dtype, NORMAL_KERNEL)

    def compute() -> Tensor:
        data = RNG.normal(mean, std, self._data.shape).astype(self._data.dtype)
        return record("NormalBackward0", data, [self], _zeros)

    return apply_inplace(self, [], compute)


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    from .creation import RNG, UNIFORM_KERNEL, require_floating

    require_floating(self.dtype, UNIFORM_KERNEL)

    def compute() -> Tensor:
        data = RNG.uniform(a, b, self._data.shape).astype(self._data.dtype)
        return record("UniformBackward0", data, [self], _zeros)

    return apply_inplace(self, [], compute)


def _clamp_one(name: str, bound: float, upper: bool) -> Callable[[Tensor], Tensor]:
    def compute(self: Tensor) -> Tensor:
        data = (np.minimum if upper else np.maximum)(self._data, bound).astype(self._data.dtype)

        def backward(node: Node, g: Array) -> Grads:
            a = node.saved("self")
            return (g * ((a <= bound) if upper else (a >= bound)),)

        return record(name, data, [self], backward, save={"self": self})

    return compute


def clamp_min(self: Tensor, min: float) -> Tensor:
    """Out of place: ``ClampMinBackward0`` saves its input (``F.normalize`` uses it)."""
    return _clamp_one("ClampMinBackward0", min, False)(self)


def clamp_min_(self: Tensor, min: float) -> Tensor:
    return apply_inplace(self, [], lambda: _clamp_one("ClampMinBackward0", min, False)(self))


def clamp_max_(self: Tensor, max: float) -> Tensor:
    return apply_inplace(self, [], lambda: _clamp_one("ClampMaxBackward0", max, True)(self))


def _cross(a: Tensor, b: Tensor, names: tuple[str, str]) -> dict[str, Tensor]:
    saved: dict[str, Tensor] = {}
    if b.requires_grad:
        saved[names[0]] = a
    if a.requires_grad:
        saved[names[1]] = b
    return saved


def addcmul_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    s1, s2, ss = tensor1._data.shape, tensor2._data.shape, self._data.shape

    def compute() -> Tensor:
        data = (self._data + value * tensor1._data * tensor2._data).astype(self._data.dtype)

        def backward(node: Node, g: Array) -> Grads:
            return (
                unbroadcast(g, ss),
                unbroadcast(g * value * node.saved("tensor2"), s1) if wants(node, 1) else None,
                unbroadcast(g * value * node.saved("tensor1"), s2) if wants(node, 2) else None,
            )

        saved = _cross(tensor1, tensor2, ("tensor1", "tensor2"))
        return record("AddcmulBackward0", data, [self, tensor1, tensor2], backward, save=saved)

    return apply_inplace(self, [tensor1, tensor2], compute)


def addcdiv_(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    s1, s2, ss = tensor1._data.shape, tensor2._data.shape, self._data.shape

    def compute() -> Tensor:
        data = (self._data + value * tensor1._data / tensor2._data).astype(self._data.dtype)

        def backward(node: Node, g: Array) -> Grads:
            t2 = node.saved("tensor2")
            return (
                unbroadcast(g, ss),
                unbroadcast(g * value / t2, s1) if wants(node, 1) else None,
                unbroadcast(-g * value * node.saved("tensor1") / (t2 * t2), s2)
                if wants(node, 2)
                else None,
            )

        saved: dict[str, Tensor] = {}
        if tensor1.requires_grad or tensor2.requires_grad:
            saved["tensor2"] = tensor2
        if tensor2.requires_grad:
            saved["tensor1"] = tensor1
        return record("AddcdivBackward0", data, [self, tensor1, tensor2], backward, save=saved)

    return apply_inplace(self, [tensor1, tensor2], compute)


def lerp_(self: Tensor, end: Tensor, weight: Any) -> Tensor:
    ss, se = self._data.shape, end._data.shape

    def compute() -> Tensor:
        if isinstance(weight, Tensor):
            w = weight._data
            data = (self._data + w * (end._data - self._data)).astype(self._data.dtype)
            sw = weight._data.shape

            def backward_t(node: Node, g: Array) -> Grads:
                wv = node.saved("weight")
                gw = None
                if wants(node, 2):
                    gw = unbroadcast(g * (node.saved("end") - node.saved("self")), sw)
                return (
                    unbroadcast(g * (1 - wv), ss),
                    unbroadcast(g * wv, se) if wants(node, 1) else None,
                    gw,
                )

            saved = {"weight": weight}
            if weight.requires_grad:
                saved.update({"self": self, "end": end})
            return record("LerpBackward1", data, [self, end, weight], backward_t, save=saved)
        data = (self._data + weight * (end._data - self._data)).astype(self._data.dtype)

        def backward(node: Node, g: Array) -> Grads:
            return (
                unbroadcast(g * (1 - weight), ss),
                unbroadcast(g * weight, se) if wants(node, 1) else None,
            )

        return record("LerpBackward0", data, [self, end], backward)

    return apply_inplace(self, [end, weight], compute)


def _take(a: Array, dim: int, index: Array) -> Array:
    return np.take(a, index, axis=dim)


def index_add_(
    self: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: float = 1
) -> Tensor:
    idx = index._data.astype(np.int64)
    ss, s_src = self._data.shape, source._data.shape

    def compute() -> Tensor:
        data = self._data.copy()
        moved = np.moveaxis(data, dim, 0)
        np.add.at(moved, idx, np.moveaxis(source._data * alpha, dim, 0).astype(data.dtype))

        def backward(node: Node, g: Array) -> Grads:
            gs = None
            if wants(node, 1):
                gs = (_take(g, dim, idx) * alpha).reshape(s_src)
            return (unbroadcast(g, ss), gs)

        return record("IndexAddBackward0", data, [self, source], backward)

    return apply_inplace(self, [source], compute)


EXTRA_INPLACE: dict[str, Callable[..., Tensor]] = {
    "zero_": zero_,
    "fill_": fill_,
    "copy_": copy_,
    "normal_": normal_,
    "uniform_": uniform_,
    "clamp_min_": clamp_min_,
    "clamp_max_": clamp_max_,
    "addcmul_": addcmul_,
    "addcdiv_": addcdiv_,
    "lerp_": lerp_,
    "index_add_": index_add_,
}
"""The registry's in-place methods that are not twins of a registry op (``masked_fill_`` and
``scatter_`` are: their twins save the mask / index, as torch's do)."""
