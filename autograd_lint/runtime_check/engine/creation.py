"""Constructors: ``torch.tensor``, ``randn``, ``zeros``, ... and their ``*_like`` forms.

Every result is a fresh leaf; it requires grad only when asked (``requires_grad=True``), and
only floating-point tensors may. Random numbers come from one seeded generator (``rng.py``,
reset by ``manual_seed``); they do not match torch's stream, and witnesses never depend on
values.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd_lint.ops import CREATION_FUNCTIONS

from . import dtypes, messages, rng
from .graph import Array
from .tensor import Tensor

RNG = rng.Generator(0)
NORMAL_KERNEL = "normal_kernel_cpu"
UNIFORM_KERNEL = "check_uniform_bounds"


def manual_seed(seed: int) -> None:
    global RNG
    RNG = rng.Generator(seed)


def _finish(data: Array, dtype: dtypes.dtype | None, requires_grad: bool) -> Tensor:
    if dtype is not None:
        data = data.astype(dtype.np, copy=False)
    t = Tensor._wrap(data)
    if requires_grad:
        if not t.dtype.is_floating_point:
            raise RuntimeError(messages.FLOAT_ONLY_CTOR)
        t._requires_grad = True
    return t


def _size(size: Sequence[Any]) -> tuple[int, ...]:
    if len(size) == 1 and isinstance(size[0], tuple | list):
        return tuple(int(n) for n in size[0])
    return tuple(int(n) for n in size)


def _infer(data: Any) -> Array:
    """numpy array with torch's inferred dtype (floats -> float32, ints -> int64)."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, list | tuple) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _untensor(data)
    arr = np.array(data)
    if arr.dtype.kind == "f":
        return arr.astype(dtypes.DEFAULT_FLOAT.np)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64)
    if arr.dtype.kind == "b":
        return arr
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    return arr


def _flat(data: Any) -> list[Any]:
    if isinstance(data, list | tuple):
        return [y for x in data for y in _flat(x)]
    return [data]


_SCALAR_WARNED = False
"""torch warns once per process (``TORCH_WARN_ONCE``) that a tensor requiring grad became a
number; a witness runs in a process of its own, so its first conversion warns."""


def _untensor(data: Any) -> Any:
    """The numbers of a nested list that holds tensors: torch converts each tensor to a
    Python scalar (one element, whatever its shape), and refuses any other size."""
    global _SCALAR_WARNED
    if isinstance(data, list | tuple):
        return [_untensor(x) for x in data]
    if isinstance(data, Tensor):
        if data._data.size != 1:
            if data.dtype.is_floating_point:
                raise ValueError(messages.ONE_ELEMENT_SCALAR)
            raise TypeError(messages.ONE_ELEMENT_INDEX)
        if data.requires_grad and not _SCALAR_WARNED:
            _SCALAR_WARNED = True
            warnings.warn(messages.SCALAR_OF_GRAD_WARNING, UserWarning, stacklevel=4)
        return data._data.reshape(()).item()
    return data


def tensor(
    data: Any, *, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    if isinstance(data, Tensor):
        warnings.warn(messages.TENSOR_COPY_WARNING, UserWarning, stacklevel=2)
    return _finish(_infer(data), dtype, requires_grad)


def as_tensor(data: Any, dtype: dtypes.dtype | None = None, device: Any = None) -> Tensor:
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data.dtype else data._cast(dtype)
    if isinstance(data, np.ndarray):
        return _finish(data, dtype, False)
    return _finish(_infer(data), dtype, False)


def from_numpy(array: Array) -> Tensor:
    if not isinstance(array, np.ndarray):  # a tensor, a list: torch takes arrays only
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    dtypes.from_numpy(array.dtype)
    return Tensor._wrap(array)


def _float(dtype: dtypes.dtype | None) -> dtypes.dtype:
    return dtype if dtype is not None else dtypes.DEFAULT_FLOAT


def require_floating(dtype: dtypes.dtype, kernel: str) -> None:
    """torch draws normal and uniform numbers for floating dtypes only."""
    if not dtype.is_floating_point:
        scalar_type = dtype.tensor_type.removesuffix("Tensor")
        raise NotImplementedError(
            messages.RANDOM_KERNEL_DTYPE.format(kernel=kernel, scalar_type=scalar_type)
        )


def _normal(shape: tuple[int, ...], dtype: dtypes.dtype, requires_grad: bool) -> Tensor:
    require_floating(dtype, NORMAL_KERNEL)
    return _finish(RNG.standard_normal(shape), dtype, requires_grad)


def _uniform(shape: tuple[int, ...], dtype: dtypes.dtype, requires_grad: bool) -> Tensor:
    require_floating(dtype, UNIFORM_KERNEL)
    return _finish(RNG.random(shape), dtype, requires_grad)


def randn(
    *size: Any,
    dtype: dtypes.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Any = None,
) -> Tensor:
    return _normal(_size(size), _float(dtype), requires_grad)


def rand(
    *size: Any,
    dtype: dtypes.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Any = None,
) -> Tensor:
    return _uniform(_size(size), _float(dtype), requires_grad)


def randint(
    low: int,
    high: Any = None,
    size: Any = None,
    *,
    dtype: dtypes.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Any = None,
) -> Tensor:
    if high is None or (size is None and isinstance(high, tuple | list)):
        low, high, size = 0, low, size if high is None else high  # randint(high, size)
    shape = tuple(size) if size is not None else ()
    data = RNG.integers(low, high, shape)
    return _finish(data, dtype or dtypes.int64, requires_grad)


def zeros(
    *size: Any, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _finish(np.zeros(_size(size)), _float(dtype), requires_grad)


def ones(
    *size: Any, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _finish(np.ones(_size(size)), _float(dtype), requires_grad)


def empty(
    *size: Any, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _finish(np.zeros(_size(size)), _float(dtype), requires_grad)


def full(
    size: Sequence[int],
    fill_value: Any,
    *,
    dtype: dtypes.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    d = dtype or dtypes.of_scalar(fill_value)
    return _finish(np.full(tuple(size), fill_value), d, requires_grad)


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: dtypes.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if end is None:
        start, end = 0, start
    values = (start, end, step)
    inferred = dtypes.DEFAULT_FLOAT if any(isinstance(v, float) for v in values) else dtypes.int64
    return _finish(np.arange(start, end, step), dtype or inferred, requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    *,
    dtype: dtypes.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(np.linspace(start, end, steps), _float(dtype), requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: dtypes.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(np.eye(n, m), _float(dtype), requires_grad)


def _like(t: Tensor, dtype: dtypes.dtype | None) -> dtypes.dtype:
    return dtype if dtype is not None else t.dtype


def zeros_like(
    t: Tensor, *, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _finish(np.zeros(t._data.shape), _like(t, dtype), requires_grad)


def ones_like(
    t: Tensor, *, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _finish(np.ones(t._data.shape), _like(t, dtype), requires_grad)


def empty_like(
    t: Tensor, *, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _finish(np.zeros(t._data.shape), _like(t, dtype), requires_grad)


def full_like(
    t: Tensor,
    fill_value: Any,
    *,
    dtype: dtypes.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    return _finish(np.full(t._data.shape, fill_value), _like(t, dtype), requires_grad)


def randn_like(
    t: Tensor, *, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _normal(t._data.shape, _like(t, dtype), requires_grad)


def rand_like(
    t: Tensor, *, dtype: dtypes.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return _uniform(t._data.shape, _like(t, dtype), requires_grad)


CREATION = {name: globals()[name] for name in sorted(CREATION_FUNCTIONS)}
"""Constructors by name: every ``torch.<name>`` the registry lists as a constructor."""


def _legacy(kind: dtypes.dtype) -> Any:
    def construct(*args: Any) -> Tensor:
        """``torch.<Kind>Tensor(data)`` or ``torch.<Kind>Tensor(*sizes)``: a leaf of that dtype."""
        if len(args) == 1 and isinstance(args[0], Tensor):
            return Tensor._wrap(args[0]._data.astype(kind.np))
        if len(args) == 1 and isinstance(args[0], list | tuple):
            return Tensor._wrap(np.array(_untensor(args[0]), dtype=kind.np))
        return Tensor._wrap(np.zeros(_size(args), dtype=kind.np))

    construct.__name__ = kind.tensor_type
    return construct


LEGACY = {
    d.tensor_type: _legacy(d)
    for d in (dtypes.float32, dtypes.float64, dtypes.int64, dtypes.int32, dtypes.bool_)
}
"""The registry's ``LEGACY_CONSTRUCTORS`` other than ``Tensor`` (the class itself)."""
