"""What is known about how often a ``for`` loop runs, from its iterable alone.

A loop that surely runs leaves only what its body made (no join with the state before
it); one that surely never runs leaves the state before it untouched (``for k in
range(1, n)`` with ``n == 1``: the losses the body would have appended are not there).
Anything else may run any number of times, none included.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.expressions import literal_int
from autograd_lint.analysis.names import positional
from autograd_lint.analysis.state import State
from autograd_lint.analysis.values import Sequence, Value


def range_is_nonempty(iterable: cst.BaseExpression, state: State) -> bool:
    """``range(3)``, or ``range(n)`` with ``n`` bound to a positive integer literal."""
    if (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Name)
        and iterable.func.value == "range"
    ):
        args = positional(iterable)
        if len(args) == 1 and isinstance(args[0].value, cst.Integer | cst.Name):
            count = (
                literal_int(args[0].value)
                if isinstance(args[0].value, cst.Integer)
                else getattr(state.lookup(args[0].value.value), "const", None)
            )
            return isinstance(count, int) and count > 0
    return False


def never_runs(iterable: Value) -> bool:
    """The iterable is surely empty: a ``range`` of known bounds with no number in it."""
    return isinstance(iterable, Sequence) and iterable.fixed and not iterable.items
