"""``torch.autograd``: ``backward`` and ``grad`` over the engine's graph."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from . import messages
from .backward import run_backward
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from .tensor import Tensor

__all__ = [
    "backward",
    "enable_grad",
    "grad",
    "inference_mode",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]


def _seq(x: Any) -> list[Any]:
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    inputs: Any = None,
) -> None:
    ts = _seq(tensors)
    gs = _seq(grad_tensors) or [None] * len(ts)
    run_backward(ts, gs, retain_graph=bool(retain_graph or create_graph))


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple[Tensor | None, ...]:
    outs = _seq(outputs)
    ins = _seq(inputs)
    gs = _seq(grad_outputs) or [None] * len(outs)
    found = run_backward(outs, gs, retain_graph=bool(retain_graph or create_graph), inputs=ins)
    result: list[Tensor | None] = []
    for i, (inp, g) in enumerate(zip(ins, found, strict=True)):
        if g is None:
            if materialize_grads:
                result.append(Tensor._wrap(inp._data * 0))
                continue
            if not (allow_unused or materialize_grads):
                raise RuntimeError(messages.UNUSED_INPUT.format(index=i))
            result.append(None)
        else:
            result.append(Tensor._wrap(g.astype(inp._data.dtype, copy=True)))
    return tuple(result)


class set_detect_anomaly:
    """Accepted for compatibility; the engine's messages do not change with it."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


detect_anomaly = set_detect_anomaly


def Variable(data: Tensor, requires_grad: bool = False, volatile: bool = False) -> Tensor:
    """The legacy wrapper: ``data.detach()`` (same storage and version counter) with the flag
    set as asked, as torch still does."""
    out = data.detach()
    if requires_grad:
        out.requires_grad_(True)
    return out
