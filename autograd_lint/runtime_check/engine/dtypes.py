"""torch dtypes on top of numpy dtypes, and torch's type-promotion rule.

numpy promotes ``int64_array * 2.5`` to float64 and ``float32_array * 1.0`` stays float32 only
by accident of value-based casting; torch promotes by category (bool < integer < floating) and
lets dimensioned tensors win over zero-dim tensors, which win over Python numbers. Results are
cast to the dtype this module computes so that float32 stays float32 like in torch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np


class dtype:
    """A torch dtype: its name, numpy equivalent and legacy tensor type name."""

    __slots__ = ("is_floating_point", "itemsize", "name", "np", "tensor_type")

    def __init__(self, name: str, np_dtype: Any, tensor_type: str) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.tensor_type = tensor_type
        self.is_floating_point = self.np.kind == "f"
        self.itemsize = self.np.itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"


float16 = dtype("float16", np.float16, "HalfTensor")
float32 = dtype("float32", np.float32, "FloatTensor")
float64 = dtype("float64", np.float64, "DoubleTensor")
int8 = dtype("int8", np.int8, "CharTensor")
uint8 = dtype("uint8", np.uint8, "ByteTensor")
int16 = dtype("int16", np.int16, "ShortTensor")
int32 = dtype("int32", np.int32, "IntTensor")
int64 = dtype("int64", np.int64, "LongTensor")
bool_ = dtype("bool", np.bool_, "BoolTensor")

ALIASES: dict[str, dtype] = {
    "float16": float16,
    "half": float16,
    "float32": float32,
    "float": float32,
    "float64": float64,
    "double": float64,
    "int8": int8,
    "uint8": uint8,
    "int16": int16,
    "short": int16,
    "int32": int32,
    "int": int32,
    "int64": int64,
    "long": int64,
    "bool": bool_,
}
"""``torch.<name>`` -> dtype, for the namespace."""

_BY_NUMPY: dict[np.dtype[Any], dtype] = {d.np: d for d in ALIASES.values()}

DEFAULT_FLOAT = float32
DEFAULT_INT = int64


def from_numpy(np_dtype: np.dtype[Any]) -> dtype:
    """The torch dtype of a numpy dtype (float64 arrays stay float64, as ``torch.from_numpy``)."""
    try:
        return _BY_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np_dtype}.") from None


def _category(d: dtype) -> int:
    if d is bool_:
        return 0
    return 2 if d.is_floating_point else 1


def _wider(a: dtype | None, b: dtype) -> dtype:
    if a is None:
        return b
    ca, cb = _category(a), _category(b)
    if ca != cb:
        return a if ca > cb else b
    return from_numpy(np.promote_types(a.np, b.np))


def of_scalar(value: object) -> dtype:
    """The dtype torch gives a Python number standing alone (``torch.tensor(2.0)``)."""
    if isinstance(value, bool | np.bool_):
        return bool_
    if isinstance(value, int | np.integer):
        return DEFAULT_INT
    return DEFAULT_FLOAT


def promote(dims: Iterable[dtype], zero_dims: Iterable[dtype], scalars: Iterable[object]) -> dtype:
    """torch's result dtype: dimensioned tensors, then zero-dim tensors, then Python numbers.

    A lower group only matters when its category (bool < int < float) is higher than the
    result so far; a Python float then contributes the default float dtype, not float64.
    """
    result: dtype | None = None
    for d in dims:
        result = _wider(result, d)
    zero: dtype | None = None
    for d in zero_dims:
        zero = _wider(zero, d)
    if zero is not None and (result is None or _category(zero) > _category(result)):
        result = zero
    for s in scalars:
        sd = of_scalar(s)
        if result is None or _category(sd) > _category(result):
            result = sd
    return result if result is not None else DEFAULT_FLOAT
