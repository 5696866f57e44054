"""torch functions outside the op registry that are known to return tensors.

The registry (:mod:`autograd_lint.ops`) says what an op saves and aliases; a function not
in it gives ``Unknown``. For the functions listed here the analysis still knows what comes
back: a tensor (or a tuple of them: ``torch.linalg.eigh`` gives eigenvalues and
eigenvectors), differentiable in its tensor arguments. So ``torch.tensor(vals[k])`` of an
eigenvalue is known to copy a tensor (torch warns), and a result requires grad exactly
when grad mode is on and an argument does. Its result has a graph node linked to its
arguments' graphs, so a backward through it reaches theirs; the node says whether torch's
backward of the op needs saved tensors (checked on torch 2.13: a second backward through
``cdist`` or ``eigh`` fails, through ``flip`` or ``cumsum`` it works), not which ones, so
the rules that ask what a freed graph held (AG004) read it, and those that ask which tensor
was saved (AG002) do not.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst

from autograd_lint.analysis.state import State
from autograd_lint.analysis.values import (
    GraphNode,
    PlainValue,
    Sequence,
    Tensor,
    Tri,
    Value,
    provenance,
)

TENSOR_FUNCTIONS: Mapping[str, int] = {
    "torch.flip": 0,
    "torch.roll": 0,
    "torch.rot90": 0,
    "torch.cdist": 0,
    "torch.cumsum": 0,
    "torch.cumprod": 0,
    "torch.tril": 0,
    "torch.triu": 0,
    "torch.outer": 0,
    "torch.logsumexp": 0,
    "torch.cosine_similarity": 0,
    "torch.nn.functional.cosine_similarity": 0,
    "torch.linalg.norm": 0,
    "torch.linalg.vector_norm": 0,
    "torch.linalg.matrix_norm": 0,
    "torch.linalg.inv": 0,
    "torch.linalg.eigvalsh": 0,
    "torch.linalg.eigh": 2,
    "torch.linalg.qr": 2,
    "torch.linalg.svd": 3,
}
"""Qualified name -> how many tensors it returns as a tuple (0: a single tensor). Each is
differentiable in its tensor arguments."""

SAVING_FUNCTIONS: frozenset[str] = frozenset(TENSOR_FUNCTIONS) - {
    "torch.flip",
    "torch.roll",
    "torch.rot90",
    "torch.cumsum",
    "torch.tril",
    "torch.triu",
}
"""The listed functions whose backward reads saved tensors (its inputs, its outputs or
both), whichever argument requires grad; the others save only sizes and dims."""


def tensor_function_result(
    qualname: str, node: cst.Call, args: list[Value], state: State, seq: int
) -> Value | None:
    """What a call of a listed function gives, or ``None`` (not listed, or ``out=``)."""
    outputs = TENSOR_FUNCTIONS.get(qualname)
    if outputs is None or any(
        a.keyword is not None and a.keyword.value == "out" for a in node.args
    ):
        return None
    prov = frozenset({seq}).union(*(provenance(a) for a in args))
    flags = [_requires_grad(a) for a in args]
    if state.grad_enabled is False or all(flag is Tri.NO for flag in flags):
        rg = Tri.NO
    elif state.grad_enabled is True and any(flag is Tri.YES for flag in flags):
        rg = Tri.YES
    else:
        rg = Tri.UNKNOWN
    is_leaf = {Tri.YES: Tri.NO, Tri.NO: Tri.YES, Tri.UNKNOWN: Tri.UNKNOWN}[rg]
    graph = None
    if rg is Tri.YES:
        parents = tuple(a.node for a in args if isinstance(a, Tensor) and a.node is not None)
        op = qualname.rsplit(".", 1)[-1]
        graph = GraphNode(op, node, parents, saves_internal=qualname in SAVING_FUNCTIONS)

    def made() -> Tensor:
        return Tensor(rg, is_leaf, node, prov, node=graph)

    results = [made() for _ in range(max(outputs, 1))]
    if graph is not None:
        graph.result = results[0]
    if outputs == 0:
        return results[0]
    return Sequence(list[Value](results), prov)  # one node for all outputs, as torch's grad_fn


def _requires_grad(value: Value) -> Tri:
    """Whether an argument requires grad: a number or a list of numbers never does."""
    if isinstance(value, Tensor):
        return value.requires_grad
    if isinstance(value, PlainValue):
        return Tri.NO
    if isinstance(value, Sequence) and all(isinstance(i, PlainValue) for i in value.items):
        return Tri.NO
    return Tri.UNKNOWN
