"""Witnesses for misuses of the tensor API: backward of a non-scalar (AG009), ``numpy()`` of
a tensor that requires grad (AG011), ``detach_()`` of a view and a discarded ``detach()``
(AG012).

Each is the provenance slice of the tensor the finding is about, cut by the same
:class:`~autograd_lint.analysis.witness_render.SliceBuilder` as the core rules' witnesses. The
first three end in torch's own error; the discarded ``detach()`` raises nothing, so its
evidence is the tensor's state after the statement: it still has its history.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.trace import (
    Backward,
    DetachViewInplace,
    DiscardedDetach,
    NumpyOfGrad,
    Trace,
)
from autograd_lint.analysis.values import PlainValue, Tensor, Tri
from autograd_lint.analysis.witness import (
    _backward_seqs,
    _raises,
    _script,
    _statements_of,
)
from autograd_lint.analysis.witness_names import _name_in_script, _names_read
from autograd_lint.diagnostics import Expectation, Witness

IMPLICIT_SCALAR = "grad can be implicitly created only for scalar outputs"
NUMPY_REQUIRES_GRAD = "Can't call numpy() on Tensor that requires grad"
DETACH_VIEW = "Can't detach views in-place"
"""torch's RuntimeError messages (their first words) for AG009, AG011 and AG012."""


def witness_for_nonscalar(trace: Trace, backward: Backward) -> Witness | None:
    seqs = _backward_seqs(backward)
    tensor = backward.tensor
    unreduced = getattr(getattr(tensor, "elements", None), "unreduced", None)
    return _raises(
        trace,
        seqs,
        IMPLICIT_SCALAR,
        "backward without `gradient=` on a tensor of more than one element",
        frozenset({backward.seq} | _statements_of(trace, unreduced, seqs)),
    )


def _binding_seqs(trace: Trace, tensor: Tensor, before: int) -> set[int]:
    """Statements before ``before`` that bound a name to ``tensor`` itself (``w = fc.weight``
    reads no op, so its number is in no provenance; the script still needs the name)."""
    return {
        seq
        for seq, bound in trace.bindings.items()
        if seq < before and any(value is tensor for value in bound.values())
    }


def _bound_name(trace: Trace, tensor: Tensor, seqs: set[int]) -> str | None:
    """A name the statements ``seqs`` bind to ``tensor`` (the last such binding)."""
    for seq in sorted(seqs, reverse=True):
        for name, value in trace.bindings.get(seq, {}).items():
            if value is tensor and name.isidentifier() and _assigns(trace, seq, name):
                return name
    return None


def _assigns(trace: Trace, seq: int, name: str) -> bool:
    """Statement ``seq`` is an assignment that the script writes as ``name = ...`` (not a
    loop target bound at that number, not ``self.x`` written as ``self_x``... unless so)."""
    entry = trace.statements.get(seq)
    statement = entry[0] if entry is not None else None
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    for small in statement.body:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                written = trace.code_of(target.target).replace("self.", "self_")
                if written == name:
                    return True
    return False


def witness_for_numpy(trace: Trace, event: NumpyOfGrad) -> Witness | None:
    """The slice that makes the tensor, then ``name.numpy()`` on its own line: the statement
    that converted it may do more than the script can (``print``, a list's ``append``)."""
    tensor = event.tensor
    seqs = set(tensor.prov) | _binding_seqs(trace, tensor, event.seq)
    name = _bound_name(trace, tensor, seqs - {event.seq})
    before = _script(trace, seqs - {event.seq}) if name is not None else None
    if before is not None:
        return Witness(
            f"{before}{name}.numpy()\n",
            Expectation(kind="raises", exception="RuntimeError", message=NUMPY_REQUIRES_GRAD),
            "`.numpy()` on a tensor that requires grad",
        )
    return _raises(
        trace,
        seqs | {event.seq},
        NUMPY_REQUIRES_GRAD,
        "`.numpy()` on a tensor that requires grad",
        frozenset({event.seq}),
    )


def witness_for_detach_view(trace: Trace, event: DetachViewInplace) -> Witness | None:
    """The slice that makes the view, then ``name.detach_()``: the call may run on a loop
    target bound to the view (``for x in inputs: x.detach_()``), which no slice binds."""
    tensor = event.tensor
    seqs = set(tensor.prov) | _binding_seqs(trace, tensor, event.seq)
    name = _bound_name(trace, tensor, seqs - {event.seq})
    # the statement that makes the view must appear as written: a stand-in is never a view
    made = frozenset(_statements_of(trace, tensor.site, seqs))
    before = _script(trace, _with_literals(trace, seqs - {event.seq}), made) if name else None
    if before is not None:
        return Witness(
            f"{before}{name}.detach_()\n",
            Expectation(kind="raises", exception="RuntimeError", message=DETACH_VIEW),
            "`.detach_()` on a view",
        )
    return _raises(
        trace,
        seqs | {event.seq},
        DETACH_VIEW,
        "`.detach_()` on a view",
        frozenset({event.seq}) | made,
    )


def _with_literals(trace: Trace, seqs: set[int]) -> set[int]:
    """``seqs`` and the earlier statements that bound a name they read to a literal number
    (``n, d = 4, 8``): such statements are in no tensor's provenance, yet a size the script
    passes to a constructor must be that number, not a placeholder tensor."""
    if not seqs:
        return seqs
    last = max(seqs)
    read = _names_read(trace, seqs)
    extra = {
        seq
        for seq, bound in trace.bindings.items()
        if seq < last
        and any(
            name in read and isinstance(value, PlainValue) and value.const is not None
            for name, value in bound.items()
        )
    }
    return seqs | extra


def witness_for_discarded_detach(trace: Trace, event: DiscardedDetach) -> Witness | None:
    """No error: after the statement the tensor still has its history (its ``grad_fn``, or
    for a leaf its ``requires_grad``), which ``h = h.detach()`` would have cut."""
    tensor = event.tensor
    name = _name_in_script(tensor)
    if name is None:
        return None
    script = _script(trace, set(tensor.prov) | {event.seq}, frozenset({event.seq}))
    if script is None:
        return None
    observe = (
        f"{name}.requires_grad" if tensor.is_leaf is Tri.YES else f"{name}.grad_fn is not None"
    )
    return Witness(
        script,
        Expectation(kind="equals", observe=observe, value="True"),
        f"`{name}` still has its autograd history after the discarded `.detach()`",
    )


__all__ = [
    "witness_for_detach_view",
    "witness_for_discarded_detach",
    "witness_for_nonscalar",
    "witness_for_numpy",
]
