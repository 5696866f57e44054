"""Events about a tensor's own autograd flags: ``.grad`` reads, ``retain_grad()``, in-place
writes on leaves, ``requires_grad`` changes, and the device or dtype copies that turn a leaf
into a non-leaf.

The interpreter calls these from the places that already see the operation (attribute reads,
tensor methods, in-place writes, attribute assignments); keeping the decisions here keeps
those places to one line each.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq
from typing import TYPE_CHECKING

import libcst as cst

from autograd_lint.analysis.graph_leaves import leaves_of
from autograd_lint.analysis.names import dotted, keyword
from autograd_lint.analysis.trace import GradRead, LeafInplace, RequiresGradSet, RetainGrad
from autograd_lint.analysis.values import (
    GraphNode,
    PlainValue,
    Sequence,
    Tensor,
    Tri,
    Value,
    any_yes,
)

if TYPE_CHECKING:
    from autograd_lint.analysis.effects import Effects
    from autograd_lint.analysis.state import State

_DEFAULT_FLOAT_CREATION = frozenset({"randn", "rand", "zeros", "ones", "empty", "full"})
"""Constructors whose result, without ``dtype=`` / ``device=``, is a float32 CPU tensor."""
_COPYING_METHODS = frozenset({"cuda", "double", "half"})
"""On a float32 CPU tensor each of these makes a new tensor (``ToCopyBackward0``)."""


def grad_read(interp: Effects, tensor: Tensor, node: cst.Attribute) -> None:
    interp.trace.events.append(
        GradRead(site=node, **interp._where(), tensor=tensor, attribute=node)
    )


def retain_grad(interp: Effects, tensor: Tensor, node: cst.Call) -> None:
    others = interp._stands_for.get(id(tensor), [])
    storages = frozenset({tensor.storage, *(other.storage for other in others)})
    interp.trace.events.append(RetainGrad(site=node, **interp._where(), storages=storages))


def requires_grad_set(
    interp: Effects, tensor: Tensor, node: cst.CSTNode, how: str, flag: Tri
) -> RequiresGradSet:
    event = RequiresGradSet(
        site=node,
        **interp._where(),
        target=tensor,
        how=how,  # type: ignore[arg-type]
        flag=flag,
    )
    interp.trace.events.append(event)
    return event


def cut_constructor(
    interp: Effects, result: Tensor, node: cst.Call, source: Value | None, copier: str = ""
) -> None:
    """``torch.tensor(loss.item(), requires_grad=True)``, ``Variable(loss.data,
    requires_grad=True)``: a new leaf made from a value cut from a graph. ``copier`` names a
    constructor that copies a tensor argument into a new leaf of its own whatever that
    tensor is (``Variable(loss, requires_grad=True)``, ``torch.tensor(loss,
    requires_grad=True)``): a tensor that requires grad is cut by the call itself."""
    if result.requires_grad is not Tri.YES:
        return

    def cut_leaf(reason: str, site: cst.CSTNode | None = node) -> Tensor:
        """The value the constructor read, as a tensor cut at ``site`` for ``reason``."""
        return Tensor(
            Tri.NO,
            Tri.YES,
            node,
            result.prov,
            storage=result.storage,
            cut_site=site,
            cut_reason=reason,
        )

    if copier and isinstance(source, Tensor) and source.requires_grad is Tri.YES:
        before = cut_leaf(f"`{copier}`, which makes a new leaf of the values only")
    elif isinstance(source, PlainValue) and source.cut_site is not None:
        before = cut_leaf(source.cut_reason, source.cut_site)
    elif isinstance(source, Tensor) and source.cut_site is not None:
        before = source
    elif isinstance(source, Sequence) and any(
        isinstance(item, Tensor) and item.requires_grad is Tri.YES for item in source.items
    ):
        # ``torch.tensor([loss_a, loss_b], requires_grad=True)``: their values only (torch
        # reads each as a number), in a new leaf no parameter's gradient is reached from
        before = cut_leaf("`torch.tensor([...])`, which takes only the values of the tensors in it")
    else:
        return
    event = requires_grad_set(interp, before, node, "constructor", Tri.YES)
    event.result = result


def leaf_inplace(
    interp: Effects,
    tensor: Tensor,
    site: cst.CSTNode,
    state: State,
    how: str,
    method: str,
    operands: Seq[Value],
) -> None:
    """Record an in-place write on a leaf that requires grad or on a view of one."""
    if how not in {"inplace", "setitem", "augassign"}:
        return
    leaf = tensor
    through_view = False
    while leaf.alias_kind == "view" and leaf.alias_of is not None:
        leaf, through_view = leaf.alias_of, True
    if leaf.alias_kind not in (None, "detach") or leaf.requires_grad is not Tri.YES:
        # a ``.detach()`` alias is a leaf of its own: it counts once it requires grad
        return
    if leaf.is_leaf is not Tri.YES or tensor.requires_grad is not Tri.YES:
        return
    flags = [o.requires_grad if isinstance(o, Tensor) else _plain(o) for o in operands]
    interp.trace.events.append(
        LeafInplace(
            site=site,
            **interp._where(),
            target=tensor,
            leaf=leaf,
            how=how,  # type: ignore[arg-type]
            method=method,
            through_view=through_view or how == "setitem",
            operands_require_grad=any_yes(flags) if flags else Tri.NO,
            grad_enabled=state.grad_enabled,
        )
    )


def _plain(value: Value) -> Tri:
    return Tri.NO if isinstance(value, PlainValue) else Tri.UNKNOWN


def device_copy(
    interp: Effects, tensor: Tensor, method: str, node: cst.Call, state: State
) -> Tensor | None:
    """``w.cuda()`` / ``w.double()`` of a float32 CPU leaf that requires grad: a new tensor,
    a non-leaf of ``w``'s graph (its ``.grad`` stays None). ``None`` where that is not known
    (``.to(...)``, a tensor of unknown device or dtype: it may return ``w`` itself)."""
    if method not in _COPYING_METHODS or node.args or state.grad_enabled is not True:
        return None
    if tensor.requires_grad is not Tri.YES or tensor.is_leaf is not Tri.YES or tensor.is_param:
        return None
    if tensor.alias_of is not None or not _float32_cpu(tensor.site):
        return None
    if "set_default_device" in interp.trace.source or "set_default_dtype" in interp.trace.source:
        return None  # the constructor's device or dtype is not the default one
    parents = (tensor.node,) if tensor.node is not None else ()
    copy = Tensor(
        Tri.YES,
        Tri.NO,
        node,
        tensor.prov | {interp._frame.seq},
        node=GraphNode("ToCopyBackward0", node, parents),
    )
    assert copy.node is not None
    copy.node.result = copy
    copy.node.leaves = leaves_of([tensor])
    return copy


def _float32_cpu(site: cst.CSTNode) -> bool:
    """``torch.randn(...)`` and the like, with neither ``dtype=`` nor ``device=``."""
    if not isinstance(site, cst.Call):
        return False
    name = dotted(site.func)
    if name is None or name.rpartition(".")[0] != "torch":
        return False
    if name.rpartition(".")[2] not in _DEFAULT_FLOAT_CREATION:
        return False
    return keyword(site, "dtype") is None and keyword(site, "device") is None
