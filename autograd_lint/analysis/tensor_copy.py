"""Copy-constructs that keep a tensor's values and drop its graph.

``torch.tensor(t)`` and ``x.new_tensor(t)`` of a tensor ``t`` copy it into a new leaf (torch
warns "To copy construct from a tensor ..."), whatever ``requires_grad=`` says: with
``requires_grad=True`` the copy is a fresh leaf that gradient reaches instead of ``t``'s
graph. ``torch.tensor([a, b])`` of tensors that require grad converts each to a number (torch
warns "Converting a tensor with requires_grad=True to a scalar"): the result carries none of
their graphs, so a loss built from it trains nothing upstream (``torch.stack`` keeps them).
The plain ``torch.tensor(t)`` without ``requires_grad=`` is recorded by the caller, as before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from autograd_lint.analysis.trace import TensorFromTensor
from autograd_lint.analysis.values import Sequence, Tensor, Tri, Value, provenance

if TYPE_CHECKING:
    from autograd_lint.analysis.effects import Effects


def graph_list(value: Value | None) -> bool:
    """A list or tuple (not a dict) that holds a tensor known to require grad: whatever
    else it holds (numbers, tensors of unknown facts), that tensor's graph is dropped."""
    return (
        isinstance(value, Sequence)
        and value.keys is None
        and any(isinstance(i, Tensor) and i.requires_grad is Tri.YES for i in value.items)
    )


def record(
    interp: Effects,
    tensor: Tensor,
    node: cst.Call,
    name: str,
    source: Value | None,
    requires_grad: Tri,
) -> None:
    """Record the copy at ``node`` (``name`` is ``tensor`` or ``new_tensor``) and mark the new
    tensor as cut there when it does not require grad."""
    of_list = isinstance(source, Sequence)
    copied = source
    sources: frozenset[int] = frozenset()
    if isinstance(source, Sequence):
        sources = frozenset().union(*(provenance(i) for i in source.items))
        copied = next(
            i for i in source.items if isinstance(i, Tensor) and i.requires_grad is Tri.YES
        )
    assert isinstance(copied, Tensor)
    copier = "torch.tensor" if name == "tensor" else "new_tensor"
    interp.trace.events.append(
        TensorFromTensor(
            site=node,
            **interp._where(),
            tensor=copied,
            argument=node.args[0].value,
            copier=copier,
            of_list=of_list,
            keeps_flag=requires_grad is not Tri.NO,
            sources=sources,
        )
    )
    if requires_grad is Tri.NO:
        what = "of tensors that require grad" if of_list else "of a tensor"
        tensor.cut_site, tensor.cut_reason = node, f"`{copier}(...)` {what}"
