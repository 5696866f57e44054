"""The leaves a graph node's backward reaches, where every input of every op is known.

A backward whose graph reaches only leaves that were rebuilt from a cut loss
(``torch.tensor([l1, l2], requires_grad=True).sum()``) trains nothing: AG008 needs to know
that the graph reaches no other leaf, a parameter above all. The set is kept only where the
op saw all of its tensor operands (a binary operator, a view, a call whose every argument
the analyzer passed on); a layer call (its parameters), an in-place op, a join of a
comprehension's elements or any operand of unknown facts leaves it unknown (``None``).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from autograd_lint.analysis.values import PlainValue, Tensor, Tri, Value

_NON_TENSOR_KEYWORDS = frozenset(
    {"dim", "keepdim", "dtype", "reduction", "ignore_index", "label_smoothing"}
)
"""Keywords of a registry call that never pass a tensor."""


def leaves_of(inputs: Sequence[Value]) -> frozenset[int] | None:
    """The storages of the leaves that require grad reached through ``inputs`` (an op's
    operands, all of them), or ``None`` where one operand's facts are not known."""
    found: set[int] = set()
    for value in inputs:
        if isinstance(value, PlainValue):
            continue
        if not isinstance(value, Tensor):
            return None
        if value.requires_grad is Tri.NO:
            continue
        if value.requires_grad is not Tri.YES:
            return None
        if value.node is not None:
            if value.node.leaves is None:
                return None
            found |= value.node.leaves
        elif value.is_leaf is Tri.YES:
            found.add(value.storage)
        else:
            return None
    return frozenset(found)


def call_passes_all(node: cst.Call, passed: int) -> bool:
    """Whether the analyzer handed the op every argument of ``node`` that may be a tensor:
    at most ``passed`` positional arguments, no ``*``/``**``, keywords only of those that
    never pass a tensor (``dim=``, ``keepdim=``, ``dtype=``)."""
    positional = 0
    for arg in node.args:
        if arg.star:
            return False
        if arg.keyword is None:
            positional += 1
        elif arg.keyword.value not in _NON_TENSOR_KEYWORDS:
            return False
    return positional <= passed


def only_plain_arguments(constructor: cst.CSTNode, values: Sequence[Value] | None) -> bool:
    """Every argument of a layer's constructor is a known non-tensor (a number, a string):
    the layer holds no tensor of the caller's that its call would take as an operand."""
    if not isinstance(constructor, cst.Call):
        return False
    if not constructor.args:
        return True
    if values is None or len(values) != len(constructor.args):
        return False
    return not any(a.star for a in constructor.args) and all(
        isinstance(v, PlainValue) for v in values
    )
