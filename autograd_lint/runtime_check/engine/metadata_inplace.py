"""In-place methods that change only a tensor's shape: ``unsqueeze_``, ``squeeze_``, ``t_``,
``transpose_`` / ``swapdims_`` / ``swapaxes_``.

torch keeps the tensor object and its storage, gives it the new shape, bumps its version
counter (a backward that saved it then raises) and, when grad is recorded, a node of the
method's own (``UnsqueezeBackward1``, ``SqueezeBackward3`` / ``4``, ``TBackward1``,
``TransposeBackward1``) whose backward restores the old shape. A leaf that requires grad
refuses them in grad mode. Aliases made earlier (``detach()``, views) keep their own shape,
as in torch. On a tensor that is itself a view, torch rebases the view's base; that is not
modelled: the mini engine refuses (the replay is then "not replayable", never a verdict).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .dispatch import check_inplace, record
from .graph import Array, Grads, Node
from .tensor import Tensor

Reshape = tuple[Array, Callable[[Array], Array], str]
"""The new data (a view of the old), the backward's map of a gradient, the node's name."""


def _dim(self: Tensor, dim: int, extra: int = 0) -> int:
    ndim = self._data.ndim + extra
    low, high = -max(ndim, 1), max(ndim, 1) - 1
    if not low <= dim <= high:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{low}, {high}], but got {dim})"
        )
    return dim % max(ndim, 1)


def _unsqueeze(self: Tensor, dim: int) -> Reshape:
    d = _dim(self, dim, extra=1)
    shape = self._data.shape
    return np.expand_dims(self._data, d), lambda g: g.reshape(shape), "UnsqueezeBackward1"


def _squeeze(self: Tensor, dim: int | None = None) -> Reshape:
    shape = self._data.shape
    if dim is None:
        return np.squeeze(self._data), lambda g: g.reshape(shape), "SqueezeBackward3"
    d = _dim(self, dim)
    if self._data.ndim == 0 or shape[d] != 1:
        return self._data, lambda g: g, "SqueezeBackward4"
    return np.squeeze(self._data, d), lambda g: g.reshape(shape), "SqueezeBackward4"


def _t(self: Tensor) -> Reshape:
    if self._data.ndim > 2:
        raise RuntimeError(
            f"t_() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D"
        )
    return self._data.T, lambda g: g.T, "TBackward1"


def _transpose(self: Tensor, dim0: int, dim1: int) -> Reshape:
    d0, d1 = _dim(self, dim0), _dim(self, dim1)
    return (
        np.swapaxes(self._data, d0, d1),
        lambda g: np.swapaxes(g, d0, d1),
        "TransposeBackward1",
    )


def _in_place(name: str, reshape: Callable[..., Reshape]) -> Callable[..., Tensor]:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        if self._base is not None:
            raise NotImplementedError(f"{name} on a view is not modelled by the mini engine")
        check_inplace(self, [])
        data, restore, node_name = reshape(self, *args, **kwargs)

        def backward(node: Node, g: Array) -> Grads:
            return (restore(g),)

        result = record(node_name, data, [self], backward)
        self._data = data
        self._version_counter.value += 1
        if result._grad_fn is not None:
            self._grad_fn = result._grad_fn
            self._follow_retained_grad()
        return self

    method.__name__ = name
    return method


METADATA_INPLACE: dict[str, Callable[..., Tensor]] = {
    "unsqueeze_": _in_place("unsqueeze_", _unsqueeze),
    "squeeze_": _in_place("squeeze_", _squeeze),
    "t_": _in_place("t_", _t),
    "transpose_": _in_place("transpose_", _transpose),
    "swapdims_": _in_place("swapdims_", _transpose),
    "swapaxes_": _in_place("swapaxes_", _transpose),
}
"""The registry's shape-only in-place methods (``ops.METADATA_INPLACE``)."""
