"""Adaptive average pooling: which op torch records depends on the output size.

``F.adaptive_avg_pool2d(x, 1)`` (and ``nn.AdaptiveAvgPool2d(1)``, the global pooling that
ends most backbones) is run by torch as ``x.mean((-2, -1), keepdim=True)``: a
``MeanBackward1`` node that saves nothing. Any other output size records
``AdaptiveAvgPool2DBackward0``, which saves its input. Where the size is not a literal the
op is modelled as saving nothing: a save is claimed only where it is sure.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis.expressions import literal_int
from autograd_lint.analysis.names import keyword, positional


def adaptive_pool_spec(call: cst.Call, index: int) -> ops.OpSpec:
    """The op a pooling to the output size given in ``call`` (positional ``index`` or
    ``output_size=``) records."""
    spec = ops.OPS["adaptive_avg_pool2d"]
    found = keyword(call, "output_size")
    args = positional(call)
    size = found.value if found is not None else args[index].value if index < len(args) else None
    sizes = _literal_sizes(size)
    if sizes == [1, 1]:
        return ops.OPS["mean"]
    if sizes is None or None in sizes:  # ``(None, 1)`` on an input one row high is 1 x 1
        return spec._replace(saves=("never",))
    return spec


def _literal_sizes(size: cst.BaseExpression | None) -> list[int | None] | None:
    """``1`` -> ``[1, 1]``; ``(3, None)`` -> ``[3, None]``; anything not literal -> ``None``."""
    if size is None:
        return None
    number = literal_int(size)
    if number is not None:
        return [number, number]
    if isinstance(size, cst.Tuple | cst.List) and len(size.elements) == 2:
        sizes: list[int | None] = []
        for element in size.elements:
            value = element.value
            if isinstance(value, cst.Name) and value.value == "None":
                sizes.append(None)
            elif (number := literal_int(value)) is not None:
                sizes.append(number)
            else:
                return None
        return sizes
    return None
