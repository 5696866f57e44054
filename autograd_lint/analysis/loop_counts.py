"""What is known about how often a ``for`` loop runs, from its iterable alone.

A loop that surely runs leaves only what its body made (no join with the state before
it); one that surely never runs leaves the state before it untouched (``for k in
range(1, n)`` with ``n == 1``: the losses the body would have appended are not there).
A loop that surely runs exactly once (``for _ in range(1)``, ``for x in [a]``) has no
earlier iteration: nothing it does is carried from one iteration to the next.
Anything else may run any number of times, none included.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.expressions import literal_int
from autograd_lint.analysis.names import positional
from autograd_lint.analysis.state import State
from autograd_lint.analysis.values import Sequence, Value


def range_count(iterable: cst.BaseExpression, state: State) -> int | None:
    """How many numbers ``range(n)`` gives, ``n`` an integer literal or a name bound to one;
    ``None`` for any other iterable."""
    if (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Name)
        and iterable.func.value == "range"
    ):
        args = positional(iterable)
        if len(args) == 1 and len(iterable.args) == 1:
            value = args[0].value
            count = (
                literal_int(value)
                if isinstance(value, cst.Integer)
                else getattr(state.lookup(value.value), "const", None)
                if isinstance(value, cst.Name)
                else None
            )
            if isinstance(count, int) and not isinstance(count, bool):
                return max(count, 0)
    return None


def range_is_nonempty(iterable: cst.BaseExpression, state: State) -> bool:
    """``range(3)``, or ``range(n)`` with ``n`` bound to a positive integer literal."""
    count = range_count(iterable, state)
    return count is not None and count > 0


def never_runs(iterable: Value) -> bool:
    """The iterable is surely empty: a ``range`` of known bounds with no number in it."""
    return isinstance(iterable, Sequence) and iterable.fixed and not iterable.items
