"""Convolution and pooling: ``conv1d``, ``conv2d``, ``max_pool2d``, ``avg_pool2d``,
``adaptive_avg_pool2d``.

One window mechanism for all of them: the padded input is cut into (strided, dilated)
windows with ``sliding_window_view``; forward contracts or reduces the windows, backward adds
each kernel offset's gradient back into the padded input. ``ConvolutionBackward0`` saves input
and weight (never the bias), the pools save their input, as torch's ``derivatives.yaml`` says.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .. import math_ops
from ..dispatch import record_op, wants
from ..graph import Array, Grads, Node
from ..tensor import Tensor


def _tuple(v: Any, n: int) -> tuple[int, ...]:
    if isinstance(v, tuple | list):
        return tuple(int(x) for x in v)
    return (int(v),) * n


def _windows(
    xp: Array, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> Array:
    """``(N, C, *out, *kernel)`` windows of a padded ``(N, C, *spatial)`` array."""
    n = len(kernel)
    span = tuple((k - 1) * d + 1 for k, d in zip(kernel, dilation, strict=True))
    w = sliding_window_view(xp, span, axis=tuple(range(2, 2 + n)))
    key = (slice(None), slice(None))
    key += tuple(slice(None, None, s) for s in stride) + tuple(
        slice(None, None, d) for d in dilation
    )
    return w[key]


def _add_windows(
    gw: Array,
    shape: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
) -> Array:
    """The transpose of ``_windows``: add ``(N, C, *out, *kernel)`` into ``(N, C, *spatial)``."""
    out = np.zeros(shape, dtype=gw.dtype)
    n = len(kernel)
    outs = gw.shape[2 : 2 + n]
    for offs in itertools.product(*(range(k) for k in kernel)):
        key = (
            slice(None),
            slice(None),
            *tuple(
                slice(o * d, o * d + (m - 1) * s + 1, s)
                for o, d, m, s in zip(offs, dilation, outs, stride, strict=True)
            ),
        )
        tail: Any = (Ellipsis, *offs)
        out[key] += gw[tail]
    return out


def _pad(x: Array, padding: tuple[int, ...], value: float = 0.0) -> Array:
    widths = [(0, 0), (0, 0)] + [(p, p) for p in padding]
    return np.pad(x, widths, constant_values=value)


def _conv(
    op: str,
    n: int,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> Tensor:
    x = input._data
    if x.ndim != n + 2:
        raise RuntimeError(
            f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {op}, but got input "
            f"of size: {list(x.shape)}"
        )
    st, dl = _tuple(stride, n), _tuple(dilation, n)
    if isinstance(padding, str):
        if padding == "valid":
            pd = (0,) * n
        else:  # "same", stride 1
            pd = tuple((d * (k - 1)) // 2 for d, k in zip(dl, weight._data.shape[2:], strict=True))
    else:
        pd = _tuple(padding, n)
    kernel = tuple(weight._data.shape[2:])
    w = weight._data
    c_in, c_out = x.shape[1], w.shape[0]
    if w.shape[1] * groups != c_in:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(w.shape)}, expected input"
            f"{list(x.shape)} to have {w.shape[1] * groups} channels, but got {c_in} channels "
            "instead"
        )
    xp = _pad(x, pd)
    win = _windows(xp, kernel, st, dl)
    cg, og = c_in // groups, c_out // groups
    k_axes = list(range(2 + n, 2 + 2 * n))
    parts = []
    for gi in range(groups):
        wg = win[:, gi * cg : (gi + 1) * cg]
        parts.append(
            np.tensordot(wg, w[gi * og : (gi + 1) * og], axes=([1, *k_axes], [1, *range(2, 2 + n)]))
        )
    data = np.moveaxis(np.concatenate(parts, axis=-1), -1, 1)
    if bias is not None:
        data = data + bias._data.reshape((1, -1) + (1,) * n)
    data = data.astype(x.dtype, copy=False)
    x_shape, xp_shape = x.shape, xp.shape

    def backward(node: Node, g: Array) -> Grads:
        xs, ws = node.saved("input"), node.saved("weight")
        gx = gw = gb = None
        g_last = np.moveaxis(g, 1, -1)  # (N, *out, O)
        if wants(node, 0):
            pieces = []
            for gi in range(groups):
                gg = g_last[..., gi * og : (gi + 1) * og]
                # (N, *out, O) x (O, C, *K) -> (N, *out, C, *K)
                pieces.append(np.tensordot(gg, ws[gi * og : (gi + 1) * og], axes=([-1], [0])))
            gwin = np.concatenate(pieces, axis=1 + n)
            gwin = np.moveaxis(gwin, 1 + n, 1)  # (N, C, *out, *K)
            gxp = _add_windows(gwin, xp_shape, kernel, st, dl)
            key = (
                slice(None),
                slice(None),
                *tuple(slice(p, p + s) for p, s in zip(pd, x_shape[2:], strict=True)),
            )
            gx = gxp[key]
        if wants(node, 1):
            wins = _windows(_pad(xs, pd), kernel, st, dl)
            gws = []
            for gi in range(groups):
                gg = g[:, gi * og : (gi + 1) * og]
                wg = wins[:, gi * cg : (gi + 1) * cg]
                axes = [0, *range(2, 2 + n)]
                gws.append(np.tensordot(gg, wg, axes=(axes, axes)))
            gw = np.concatenate(gws, axis=0).astype(g.dtype, copy=False)
        if bias is not None and wants(node, 2):
            gb = g.sum(axis=(0, *range(2, 2 + n)))
        return (gx, gw, gb)

    return record_op(op, data, [input, weight, bias], backward)


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def _batched(x: Array) -> tuple[Array, bool]:
    return (x, False) if x.ndim == 4 else (x[None], True)


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    k = _tuple(kernel_size, 2)
    st = k if stride is None or stride == [] else _tuple(stride, 2)
    pd, dl = _tuple(padding, 2), _tuple(dilation, 2)
    x, squeeze = _batched(input._data)
    xp = _pad(x, pd, -np.inf)
    win = _windows(xp, k, st, dl)
    flat = win.reshape(*win.shape[:4], -1)
    arg = flat.argmax(axis=-1)
    data = np.take_along_axis(flat, arg[..., None], axis=-1)[..., 0].astype(x.dtype)
    out_shape = data.shape
    x_shape, xp_shape = x.shape, xp.shape

    def backward(node: Node, g: Array) -> Grads:
        node.saved("input")
        gg = g if not squeeze else g[None]
        gwin = np.zeros((*out_shape, k[0] * k[1]), dtype=g.dtype)
        np.put_along_axis(gwin, arg[..., None], gg[..., None], axis=-1)
        gxp = _add_windows(gwin.reshape(*out_shape, *k), xp_shape, k, st, dl)
        gx = gxp[:, :, pd[0] : pd[0] + x_shape[2], pd[1] : pd[1] + x_shape[3]]
        return (gx[0] if squeeze else gx,)

    result = record_op("max_pool2d", data[0] if squeeze else data, [input], backward)
    if return_indices:
        rows = arg // k[1] * dl[0]
        cols = arg % k[1] * dl[1]
        oh = np.arange(out_shape[2])[:, None] * st[0]
        ow = np.arange(out_shape[3])[None, :] * st[1]
        idx = (oh + rows - pd[0]) * x_shape[3] + (ow + cols - pd[1])
        indices = Tensor._wrap(idx[0] if squeeze else idx.astype(np.int64))
        return result, indices
    return result


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    k = _tuple(kernel_size, 2)
    st = k if stride is None or stride == [] else _tuple(stride, 2)
    pd = _tuple(padding, 2)
    x, squeeze = _batched(input._data)
    xp = _pad(x, pd)
    win = _windows(xp, k, st, (1, 1))
    if divisor_override:
        div: Any = float(divisor_override)
    elif count_include_pad:
        div = float(k[0] * k[1])
    else:
        ones = _windows(_pad(np.ones((1, 1, *x.shape[2:])), pd), k, st, (1, 1))
        div = ones.sum(axis=(-2, -1))
    data = (win.sum(axis=(-2, -1)) / div).astype(x.dtype)
    out_shape = data.shape
    x_shape, xp_shape = x.shape, xp.shape

    def backward(node: Node, g: Array) -> Grads:
        node.saved("input")
        gg = (g if not squeeze else g[None]) / div
        gwin = np.broadcast_to(gg[..., None, None], (*out_shape, *k))
        gxp = _add_windows(np.ascontiguousarray(gwin), xp_shape, k, st, (1, 1))
        gx = gxp[:, :, pd[0] : pd[0] + x_shape[2], pd[1] : pd[1] + x_shape[3]]
        return (gx[0] if squeeze else gx,)

    return record_op("avg_pool2d", data[0] if squeeze else data, [input], backward)


def _adaptive_bins(size: int, out: int) -> list[tuple[int, int]]:
    """torch's adaptive bins: bin ``i`` covers ``floor(i*size/out)`` to ``ceil((i+1)*size/out)``."""
    return [((i * size) // out, -((-(i + 1) * size) // out)) for i in range(out)]


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    x, squeeze = _batched(input._data)
    sizes = output_size if isinstance(output_size, tuple | list) else (output_size,) * 2
    oh, ow = (x.shape[2 + i] if s is None else int(s) for i, s in enumerate(sizes))
    if (oh, ow) == (1, 1):  # torch runs a mean for it: ``MeanBackward1``, nothing saved
        return math_ops.mean(input, (-2, -1), keepdim=True)
    rows, cols = _adaptive_bins(x.shape[2], oh), _adaptive_bins(x.shape[3], ow)
    data = np.empty((*x.shape[:2], oh, ow), dtype=x.dtype)
    for (i, (r0, r1)), (j, (c0, c1)) in itertools.product(enumerate(rows), enumerate(cols)):
        data[:, :, i, j] = x[:, :, r0:r1, c0:c1].mean(axis=(-2, -1))
    x_shape = x.shape

    def backward(node: Node, g: Array) -> Grads:
        node.saved("input")
        gg = g if not squeeze else g[None]
        gx = np.zeros(x_shape, dtype=gg.dtype)
        for (i, (r0, r1)), (j, (c0, c1)) in itertools.product(enumerate(rows), enumerate(cols)):
            area = (r1 - r0) * (c1 - c0)
            gx[:, :, r0:r1, c0:c1] += gg[:, :, i, j][..., None, None] / area
        return (gx[0] if squeeze else gx,)

    return record_op("adaptive_avg_pool2d", data[0] if squeeze else data, [input], backward)
