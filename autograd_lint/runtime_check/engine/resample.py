"""Copies that tile or resample their input: ``x.repeat(...)`` and ``F.interpolate``.

Neither saves a tensor for backward (``derivatives.yaml``: ``repeat_backward(grad, repeats,
self.sym_sizes())`` and ``upsample_*_backward(grad, output_size, self.sym_sizes(), ...)`` keep
only sizes and scales), so writing the input in place before backward is harmless and a second
backward works.

Every ``interpolate`` mode here is separable: along each spatial axis the output is a fixed
matrix (output size x input size) times the input, its entries the source indices and weights
torch's CPU kernels compute in the input's precision. Forward applies the matrices, backward
their transposes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .dispatch import record_op
from .graph import Array, Grads, Node
from .tensor import Tensor

# --------------------------------------------------------------------------- repeat


def _repeats(args: Sequence[Any], kwargs: dict[str, Any]) -> tuple[int, ...]:
    """``x.repeat(2, 3)``, ``x.repeat((2, 3))``, ``x.repeat(torch.Size(...))``, ``repeats=``."""
    if "repeats" in kwargs:
        if args:
            raise TypeError("repeat() got multiple values for argument 'repeats'")
        args = (kwargs.pop("repeats"),)
    if kwargs:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    if not args:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    if len(args) == 1 and isinstance(args[0], tuple | list):
        args = tuple(args[0])
    return tuple(int(n) for n in args)


def repeat(self: Tensor, *sizes: Any, **kwargs: Any) -> Tensor:
    """``Tensor.repeat``: tile the tensor; extra leading repeat dims prepend size-1 dims."""
    reps = _repeats(sizes, kwargs)
    a = self._data
    if len(reps) < a.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    lead = len(reps) - a.ndim
    padded = (1,) * lead + a.shape
    out_shape = [n * r for n, r in zip(padded, reps, strict=True)]
    for n in out_shape:
        if n < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: {out_shape}")
    data = np.tile(a.reshape(padded), reps).reshape(out_shape)
    in_shape = a.shape

    def backward(node: Node, g: Array) -> Grads:
        # each tile adds into the input: split every axis into (repeats, size) and sum repeats
        split: list[int] = []
        for n, r in zip(padded, reps, strict=True):
            split += [r, n]
        summed = g.reshape(split).sum(axis=tuple(range(0, 2 * len(reps), 2)))
        return (summed.reshape(in_shape),)

    return record_op("repeat", data, [self], backward)


# --------------------------------------------------------------------------- interpolate

_NEAREST = ("nearest", "nearest-exact")
_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5}
_NODES = {
    "nearest": "UpsampleNearest{n}DBackward0",
    "nearest-exact": "UpsampleNearestExact{n}DBackward0",
    "linear": "UpsampleLinear1DBackward0",
    "bilinear": "UpsampleBilinear2DBackward0",
    "trilinear": "UpsampleTrilinear3DBackward0",
}
_UNSUPPORTED = ("bicubic", "area", "lanczos")
_AXES = ("D", "H", "W")


def _is_integer(x: Any) -> bool:
    return isinstance(x, int | np.integer)


def _sizes_and_scales(
    input: Tensor, size: Any, scale_factor: Any, recompute: bool | None
) -> tuple[list[int], list[float] | None]:
    """The output size and the scales handed to the kernel, with torch's argument checks."""
    dim = input._data.ndim - 2
    spatial = list(input._data.shape[2:])
    scales: list[float] | None
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, list | tuple):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {spatial} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "output size in (o1, o2, ...,oK) format."
                )
            if not all(_is_integer(x) for x in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                    f"Tuple[int, int, int], but got size with types {[type(x) for x in size]}"
                )
            out = [int(x) for x in size]
        else:
            out = [int(size)] * dim
    elif scale_factor is not None:
        if isinstance(scale_factor, list | tuple):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but "
                    f"got input with spatial dimensions of {spatial} and "
                    f"scale_factor of shape {scale_factor}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                    "scale_factor in (s1, s2, ...,sK) format."
                )
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        # the kernel's output size: the product truncated toward zero
        out = [int(n * s) for n, s in zip(spatial, scales, strict=True)]
        if recompute:
            out = [math.floor(n * s) for n, s in zip(spatial, scales, strict=True)]
            scales = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    return out, scales


def _check_sizes(spatial: Sequence[int], out: Sequence[int]) -> None:
    if all(n > 0 for n in spatial) and all(n > 0 for n in out):
        return
    names = _AXES[len(_AXES) - len(spatial) :]
    got = ", ".join(f"{a}: {n}" for a, n in zip(names, spatial, strict=True))
    want = ", ".join(f"{a}: {n}" for a, n in zip(names, out, strict=True))
    joiner = " and output" if len(spatial) == 1 else " output"
    raise RuntimeError(
        f"Input and output sizes should be greater than 0, but got input ({got}){joiner} ({want})"
    )


def _kernel_scale(
    size: int, out: int, scale: float | None, align_corners: bool, ft: type[np.floating[Any]]
) -> np.floating[Any]:
    """torch's ``area_pixel_compute_scale`` in the kernel's precision."""
    if align_corners:
        return ft(size - 1) / ft(out - 1) if out > 1 else ft(0)
    if scale is not None and scale > 0:
        return ft(1.0 / scale)
    return ft(size) / ft(out)


def _nearest_index(
    mode: str, size: int, out: int, scale: float | None, ft: type[np.floating[Any]], exact: bool
) -> Array:
    """Source index of each output position along one axis.

    torch has two index computations for ``nearest``: the one its backward kernels (and the
    2-D forward kernel) use, ``nearest_idx``, keeps the index when the size is unchanged and
    halves it when the size doubles, whatever the scale given; the other (1-D and 3-D forward)
    always applies the scale. They disagree for a ``scale_factor`` whose output size comes
    out unchanged or doubled (``scale_factor=1.2`` on size 3), and the engine follows each.
    """
    rows = np.arange(out)
    if mode == "nearest" and not exact:
        if out == size:
            return rows
        if out == 2 * size:
            return rows >> 1
        ft = np.float32
    ratio = _kernel_scale(size, out, scale, False, ft)
    dst = rows.astype(ft)
    src = np.floor(dst * ratio) if mode == "nearest" else np.floor((dst + ft(0.5)) * ratio)
    return np.minimum(src.astype(np.int64), size - 1)


def _axis_matrix(
    mode: str,
    size: int,
    out: int,
    scale: float | None,
    align_corners: bool,
    ft: type[np.floating[Any]],
    exact: bool = True,
) -> Array:
    """The ``(out, size)`` matrix one axis of ``mode`` applies.

    ``exact``: for ``nearest``, the index computation that always applies the scale (see
    ``_nearest_index``).
    """
    m = np.zeros((out, size), dtype=np.float64)
    rows = np.arange(out)
    dst = rows.astype(ft)
    if mode in _NEAREST:
        m[rows, _nearest_index(mode, size, out, scale, ft, exact)] = 1.0
        return m
    if out == size:  # the kernel copies when the size is unchanged, whatever the scale
        m[rows, rows] = 1.0
        return m
    ratio = _kernel_scale(size, out, scale, align_corners, ft)
    # torch's ``area_pixel_compute_source_index``: corners map to corners, or pixel centres
    # to centres with negative sources clamped to 0
    real = ratio * dst if align_corners else np.maximum(ratio * (dst + ft(0.5)) - ft(0.5), ft(0))
    i0 = np.minimum(np.floor(real).astype(np.int64), size - 1)
    lam1 = np.clip(real - i0.astype(ft), ft(0), ft(1)).astype(ft)
    lam0 = (ft(1) - lam1).astype(ft)
    i1 = i0 + (i0 < size - 1)
    np.add.at(m, (rows, i0), lam0.astype(np.float64))
    np.add.at(m, (rows, i1), lam1.astype(np.float64))
    return m


def _apply(x: Array, matrices: Sequence[Array]) -> Array:
    """Apply one matrix along each spatial axis of ``x`` (axes 2, 3, ...)."""
    for k, m in enumerate(matrices):
        x = np.moveaxis(np.tensordot(x, m, axes=([2 + k], [1])), -1, 2 + k)
    return x


def _mode_check(mode: str, ndim: int) -> None:
    want = _LINEAR.get(mode)
    if mode in _NEAREST and ndim in (3, 4, 5):
        return
    if want is not None and ndim == want:
        return
    if want is not None and ndim in (3, 4, 5):
        raise NotImplementedError(f"Got {ndim}D input, but {mode} mode needs {want}D input")
    if mode in _UNSUPPORTED and ndim in (3, 4, 5):
        raise NotImplementedError(f"interpolate mode {mode!r}")
    raise NotImplementedError(
        "Input Error: Only 3D, 4D and 5D input Tensors supported"
        f" (got {ndim}D) for the modes: nearest | linear | bilinear | bicubic | trilinear"
        f" | lanczos | area | nearest-exact (got {mode})"
    )


def interpolate(
    input: Tensor,
    size: Any = None,
    scale_factor: Any = None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """``F.interpolate`` for the nearest and (bi/tri)linear modes, with torch's checks."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the "
                "interpolating modes: linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    out, scales = _sizes_and_scales(input, size, scale_factor, recompute_scale_factor)
    ndim = input._data.ndim
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and ndim == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and "
            "requires a 4-D tensor as input"
        )
    _mode_check(mode, ndim)
    if antialias:
        raise NotImplementedError("interpolate with antialias=True")
    a = input._data
    if not np.issubdtype(a.dtype, np.floating):
        raise NotImplementedError(f"interpolate of a {a.dtype} tensor")
    spatial = a.shape[2:]
    _check_sizes(spatial, out)
    ft: type[np.floating[Any]] = np.float64 if a.dtype == np.float64 else np.float32
    per_axis = scales if scales is not None else [None] * len(out)
    exact = len(out) != 2  # the 1-D and 3-D nearest forward kernels
    matrices = [
        _axis_matrix(mode, n, o, s, bool(align_corners), ft, exact)
        for n, o, s in zip(spatial, out, per_axis, strict=True)
    ]
    data = _apply(a.astype(np.float64), matrices).astype(a.dtype)
    if mode == "nearest" and exact:  # the backward kernels keep or halve the index
        backs = [
            _axis_matrix(mode, n, o, s, False, ft, exact=False)
            for n, o, s in zip(spatial, out, per_axis, strict=True)
        ]
        transposed = [m.T for m in backs]
    else:
        transposed = [m.T for m in matrices]

    def backward(node: Node, g: Array) -> Grads:
        return (_apply(g.astype(np.float64), transposed).astype(g.dtype),)

    name = _NODES[mode].format(n=ndim - 2)
    return record_op("interpolate", data, [input], backward, name=name)
