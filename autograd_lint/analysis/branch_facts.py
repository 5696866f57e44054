"""Facts that hold on one arm of an ``if``: a loss that is a constant on one path.

Joining the two paths of ``if avg_factor <= 0: loss = torch.tensor(0.0) else: loss = ...``
leaves ``loss.requires_grad`` unknown, which is right for "does it require grad?" but loses
what matters for AG003: whenever the program takes that arm, ``loss`` surely does not
require grad, and a backward reached from there raises. Detection heads that return
``torch.tensor(0)`` losses for a batch without positive samples crash this way on the first
such batch.

The arm is kept on the joined tensor (:class:`NoGradArm`) and carried through operations
whose every operand agrees on it (``loss_qfl + loss_bbox + loss_dfl``, three names joined
by one ``if``); an operand that requires grad, or one not known, drops it. A change made in
place drops it too (:meth:`Effects.updated` does not copy it).

A function that returns such a constant from one arm (``if num_pos == 0: return
torch.tensor(0.0)``) gives its callers the same fact: the call's value carries the arm.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from autograd_lint.analysis.state import State
from autograd_lint.analysis.values import (
    NoGradArm,
    PlainValue,
    Tensor,
    Tri,
    Unknown,
    Value,
    provenance,
)


def mark_arms(
    node: cst.If, before: State, joined: State, then_state: State, else_state: State, depth: int
) -> None:
    """Give each name the join left with unknown ``requires_grad`` the arm of ``node`` on
    which its value surely does not require grad, if that arm made the value there and the
    other arm's value may require grad. A value from ``before`` the ``if`` kept by the arm
    that does not require grad, while the other arm changed it, is a change of flags on one
    branch only, which is not reported (``if flag: x.requires_grad_()``: RULES.md)."""
    if then_state.dead or else_state.dead:
        return
    for name, value in list(joined.env.items()):
        if isinstance(value, Tensor):
            if value.requires_grad is not Tri.UNKNOWN:
                continue
        elif not isinstance(value, Unknown):
            continue
        then_value, else_value = then_state.env.get(name), else_state.env.get(name)
        earlier = before.env.get(name)
        arm = _arm(node, True, then_value, else_value, depth, earlier) or _arm(
            node, False, else_value, then_value, depth, earlier
        )
        if arm is None:
            continue
        if isinstance(value, Unknown):
            # the other arm's value is not known to be a tensor: on this arm it is one
            value = Tensor(Tri.UNKNOWN, Tri.UNKNOWN, arm.site, provenance(value), label=name)
            joined.env[name] = value
        value.no_grad_when = arm


def _arm(
    node: cst.If,
    taken: bool,
    without: Value | None,
    other: Value | None,
    depth: int,
    earlier: Value | None,
) -> NoGradArm | None:
    """The arm ``taken`` of ``node`` if ``without`` (its value there) surely does not require
    grad, being made there from constants, while ``other`` (the other arm's) may."""
    if not isinstance(without, Tensor) or without is earlier:
        return None
    if without.requires_grad is Tri.NO and without.cut_site is None:
        if isinstance(other, Unknown) or (
            isinstance(other, Tensor) and other.requires_grad is not Tri.NO
        ):
            return NoGradArm(node.test, taken, without.site, depth)
        return None
    if not isinstance(other, Tensor):
        return None
    nested = without.no_grad_when
    if (
        not taken
        and nested is not None
        and isinstance(node.orelse, cst.If)
        and nested.test is node.orelse.test
        and other.requires_grad is Tri.YES
    ):
        return nested  # ``if a: ... elif b: loss = torch.tensor(0.) else: ...``
    return None


def common_arm(inputs: Iterable[Value]) -> NoGradArm | None:
    """The arm every operand of an operation agrees on: each one either surely does not
    require grad (a number, a constant tensor) or does not on that same arm, and at least
    one names it."""
    found: NoGradArm | None = None
    for value in inputs:
        if isinstance(value, PlainValue):
            continue
        if not isinstance(value, Tensor):
            return None
        if value.requires_grad is Tri.NO:
            continue
        arm = value.no_grad_when
        if value.requires_grad is not Tri.UNKNOWN or arm is None:
            return None
        if found is not None and not found.same_path(arm):
            return None
        found = found or arm
    return found


def returned_on_arm(
    returned: Value, arms: list[tuple[cst.If, bool, int, int]], call: int
) -> NoGradArm | None:
    """For ``return v`` run inside an arm of an ``if`` of the same call (``call``: the identity
    of its returns list), with ``v`` made there without grad: that arm."""
    if not arms or not isinstance(returned, Tensor):
        return None
    node, taken, depth, owner = arms[-1]
    if owner != call or returned.requires_grad is not Tri.NO or returned.cut_site is not None:
        return None
    return NoGradArm(node.test, taken, returned.site, depth)


def arm_of_returns(values: list[Value], arms: list[NoGradArm | None]) -> NoGradArm | None:
    """The arm on which a call's value surely does not require grad: the returns made there
    agree on it, and every other return is a tensor that may require grad (or unknown)."""
    found: NoGradArm | None = None
    others = False
    for value, arm in zip(values, arms, strict=True):
        if arm is not None:
            if found is not None and not found.same_path(arm):
                return None
            found = found or arm
        elif isinstance(value, Unknown) or (
            isinstance(value, Tensor) and value.requires_grad is not Tri.NO
        ):
            others = True
        else:
            return None
    return found if others else None
