"""Element counts of the outputs of ``nn.Linear``, ``nn.Conv1d`` / ``nn.Conv2d`` and
``nn.Flatten`` calls.

A layer's sizes are its constructor's arguments: literals, or numbers the analysis knows
where the layer was built (``nn.Linear(hidden, 10)`` with ``hidden = 8``). With the input's
shape exact, the output's is too: ``Linear(i, o)`` maps ``(..., i)`` to ``(..., o)``, a
convolution maps ``(N, C_in, *spatial)`` to ``(N, C_out, *spatial')`` by torch's size
formula. Where the input's shape is not known, a ``Linear`` whose ``out_features`` is other
than 1 still gives a tensor that is surely not one element. An input that does not fit the
layer (torch raises), or any size not known, gives nothing.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq

import libcst as cst

from autograd_lint.analysis.names import keyword
from autograd_lint.analysis.shape_flow import flattened, literal_signed
from autograd_lint.analysis.values import (
    ElementCount,
    NNModule,
    PlainValue,
    Sequence,
    Tensor,
    Value,
)

_CONV_RANK = {"Conv1d": 1, "Conv2d": 2}
SIZED_LAYERS = frozenset({"Linear", "Flatten", *_CONV_RANK})
"""The layers whose output's element count is computed here."""


def _argument(module: NNModule, position: int, name: str) -> tuple[cst.Arg, Value | None] | None:
    """The constructor argument at ``position`` or named ``name``, with its value where the
    analysis evaluated it."""
    site = module.site
    if not isinstance(site, cst.Call) or any(a.star for a in site.args):
        return None
    arg = keyword(site, name)
    if arg is None:
        positional = [a for a in site.args if a.keyword is None]
        arg = positional[position] if position < len(positional) else None
    if arg is None:
        return None
    values = module.arguments if len(module.arguments) == len(site.args) else []
    return arg, (values[site.args.index(arg)] if values else None)


def _as_int(arg: cst.Arg, value: Value | None) -> int | None:
    number = literal_signed(arg.value)
    if number is None and isinstance(value, PlainValue) and type(value.const) is int:
        number = value.const
    return number


def _sizes(module: NNModule, position: int, name: str, rank: int, default: int) -> list[int] | None:
    """An ``int`` or a tuple of ``rank`` ints (``kernel_size=3``, ``stride=(2, 1)``)."""
    found = _argument(module, position, name)
    if found is None:
        return [default] * rank
    arg, value = found
    single = _as_int(arg, value)
    if single is not None:
        return [single] * rank
    if isinstance(arg.value, cst.Tuple | cst.List):
        items = [e.value for e in arg.value.elements if isinstance(e, cst.Element)]
        parts = value.items if isinstance(value, Sequence) else [None] * len(items)
        numbers = [_as_int(cst.Arg(item), part) for item, part in zip(items, parts, strict=False)]
        if len(numbers) == rank and all(n is not None for n in numbers):
            return [n for n in numbers if n is not None]
    return None


def _linear(module: NNModule, shape: tuple[int, ...] | None) -> ElementCount | None:
    found_out = _argument(module, 1, "out_features")
    out = _as_int(*found_out) if found_out is not None else None
    if out is None or out < 0:
        return None
    found_in = _argument(module, 0, "in_features")
    width = _as_int(*found_in) if found_in is not None else None
    if shape is not None and width is not None:
        if not shape or shape[-1] != width:
            return None  # torch raises: the input does not fit the layer
        result = (*shape[:-1], out)
        return ElementCount(shape=result, reason=f"shape {result}")
    if out == 1:
        return None
    return ElementCount(not_one=True, reason=f"`out_features={out}` per row")


def _padding(module: NNModule, rank: int) -> list[int] | str | None:
    """The padding as sizes, or ``"same"``."""
    found = _argument(module, 4, "padding")
    if found is not None and isinstance(found[0].value, cst.SimpleString):
        mode = found[0].value.evaluated_value
        if mode == "valid":
            return [0] * rank
        return "same" if mode == "same" else None
    return _sizes(module, 4, "padding", rank, 0)


def _conv(module: NNModule, rank: int, shape: tuple[int, ...] | None) -> ElementCount | None:
    if shape is None or len(shape) not in {rank + 1, rank + 2}:
        return None
    found_in = _argument(module, 0, "in_channels")
    found_out = _argument(module, 1, "out_channels")
    channels_in = _as_int(*found_in) if found_in is not None else None
    channels_out = _as_int(*found_out) if found_out is not None else None
    kernel = _sizes(module, 2, "kernel_size", rank, -1)
    stride = _sizes(module, 3, "stride", rank, 1)
    dilation = _sizes(module, 5, "dilation", rank, 1)
    if None in (channels_in, channels_out, kernel, stride, dilation):
        return None
    assert kernel is not None and stride is not None and dilation is not None
    padding = _padding(module, rank)
    if padding is None or channels_out is None or shape[-rank - 1] != channels_in:
        return None
    if any(k < 1 for k in kernel) or any(s < 1 for s in stride) or any(d < 1 for d in dilation):
        return None
    if padding == "same":  # torch pads to keep every spatial size, and allows stride 1 only
        if any(s != 1 for s in stride):
            return None
        same = (*shape[: -rank - 1], channels_out, *shape[-rank:])
        return ElementCount(shape=same, reason=f"shape {same}")
    assert not isinstance(padding, str)
    spatial = []
    for size, k, s, p, d in zip(shape[-rank:], kernel, stride, padding, dilation, strict=True):
        out = (size + 2 * p - d * (k - 1) - 1) // s + 1
        if out < 1:
            return None  # torch raises: the kernel is larger than the padded input
        spatial.append(out)
    result = (*shape[: -rank - 1], channels_out, *spatial)
    return ElementCount(shape=result, reason=f"shape {result}")


def _flatten(module: NNModule, shape: tuple[int, ...] | None) -> ElementCount | None:
    """``nn.Flatten(start_dim=1, end_dim=-1)``: unlike ``torch.flatten``, from dim 1."""
    if shape is None:
        return None
    bounds = []
    for position, name, default in ((0, "start_dim", 1), (1, "end_dim", -1)):
        found = _argument(module, position, name)
        bounds.append(_as_int(*found) if found is not None else default)
    start, end = bounds
    if start is None or end is None:
        return None
    result = flattened(shape, start, end)
    return ElementCount(shape=result, reason=f"shape {result}") if result is not None else None


def layer_output(module: NNModule, inputs: Seq[Value]) -> ElementCount | None:
    """The element count of ``module(x)`` for a built-in ``Linear`` / ``Conv1d`` /
    ``Conv2d``; ``None`` for other layers, or where it is not known."""
    first = inputs[0] if inputs else None
    count = first.elements if isinstance(first, Tensor) else None
    shape = count.shape if count is not None else None
    if module.kind == "Linear":
        return _linear(module, shape)
    if module.kind in _CONV_RANK:
        return _conv(module, _CONV_RANK[module.kind], shape)
    if module.kind == "Flatten":  # keeps every element: an unknown shape keeps the count
        return _flatten(module, shape) if shape is not None else count
    return None
