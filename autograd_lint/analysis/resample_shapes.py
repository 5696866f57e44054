"""Shapes through ``x.repeat(...)`` and ``F.interpolate(...)`` for witness placeholders.

``repeat`` multiplies each dim by its repeat count, extra leading counts prepending dims.
``interpolate`` needs a batched input of the rank its mode works on (3-D ``linear``, 4-D
``bilinear``, 5-D ``trilinear``; ``nearest`` any of them, 4-D taken for an unknown input) and
gives the same batch and channels with the spatial sizes its literal ``size`` or
``scale_factor`` sets. Anything not written as a literal stays unknown.
"""

from __future__ import annotations

import ast
import math

Shape = tuple[int, ...]

_RANK = {"linear": 3, "bilinear": 4, "trilinear": 5, "bicubic": 4}
_STAND_IN_SPATIAL = 4
"""Spatial size of an unknown input: small, and at least what a 3x3 conv after it needs."""


def repeat_shape(base: Shape | None, reps: Shape | None) -> Shape | None:
    """``base.repeat(*reps)``; ``None`` when either is unknown or torch would refuse it."""
    if base is None or reps is None or len(reps) < len(base) or any(r < 0 for r in reps):
        return None
    padded = (1,) * (len(reps) - len(base)) + base
    return tuple(n * r for n, r in zip(padded, reps, strict=True))


def _keyword(call: ast.Call, name: str, position: int) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _mode(call: ast.Call) -> str | None:
    node = _keyword(call, "mode", 3)
    if node is None:
        return "nearest"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def interpolate_input(call: ast.Call, known: Shape | None) -> Shape | None:
    """The shape an unknown input of ``F.interpolate`` call should get (``None``: leave it)."""
    mode = _mode(call)
    if known is not None or mode is None:
        return None
    rank = _RANK.get(mode, 4)
    size = _numbers(_keyword(call, "size", 1), int)
    if size is not None and len(size) > 1:
        rank = len(size) + 2  # ``size=(h, w)`` fixes the rank
    return (2, 2) + (_STAND_IN_SPATIAL,) * (rank - 2)


def _numbers(node: ast.expr | None, kind: type) -> tuple[float, ...] | None:
    if node is None:
        return None
    items = node.elts if isinstance(node, ast.Tuple | ast.List) else [node]
    values: list[float] = []
    for item in items:
        if not isinstance(item, ast.Constant) or isinstance(item.value, bool):
            return None
        if not isinstance(item.value, int | float) or (kind is int and type(item.value) is not int):
            return None
        values.append(item.value)
    return tuple(values)


def interpolate_shape(call: ast.Call, base: Shape | None) -> Shape | None:
    """The output shape of ``F.interpolate(base, ...)`` from literal sizes or scales."""
    if base is None or len(base) < 3:
        return None
    spatial = len(base) - 2
    size = _numbers(_keyword(call, "size", 1), int)
    scale = _numbers(_keyword(call, "scale_factor", 2), float)
    if size is not None and scale is None:
        out = size * spatial if len(size) == 1 else size
    elif scale is not None and size is None:
        factors = scale * spatial if len(scale) == 1 else scale
        if len(factors) != spatial:
            return None
        out = tuple(math.floor(n * s) for n, s in zip(base[2:], factors, strict=True))
    else:
        return None
    if len(out) != spatial or any(n <= 0 for n in out):
        return None
    return (*base[:2], *(int(n) for n in out))
