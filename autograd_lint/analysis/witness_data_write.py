"""AG001's evidence: the gradient the ``.data`` write changes, not the version counter.

That a write through ``.data`` leaves the version counter alone is always true and proves
nothing about the user's program. What does is the gradient: the program as written, and the
same program with the write done as the tracked operation it stands for (``c.data[0] = ...``
as ``c[0] = ...``), give an upstream leaf different gradients, because only the tracked
write is part of the graph. (A write whose stale value a later backward reads is already
proven by running with and without it; see ``witness._silent_gradient``.)
"""

from __future__ import annotations

import re

from autograd_lint.analysis.trace import Backward, DataWrite, Trace
from autograd_lint.analysis.values import Tensor, Tri
from autograd_lint.analysis.witness import _backward_seqs, _leaf_with_grad, _script
from autograd_lint.diagnostics import Expectation, Witness

_DATA = re.compile(r"\.data\b(?!_)")


def _backward_after(trace: Trace, event: DataWrite) -> Backward | None:
    """The first later backward whose loss was computed from the written tensor."""
    origin = set(event.target.prov)
    for other in trace.events:
        if other.seq <= event.seq or not isinstance(other, Backward):
            continue
        if origin & set(getattr(other.tensor, "prov", ())):
            return other
    return None


def tracked_form(script: str) -> str | None:
    """``script`` with its one ``.data`` line written as the tracked operation, or ``None``
    where the script does not have exactly one such line to rewrite."""
    lines = script.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if _DATA.search(line)]
    if len(found) != 1:
        return None
    lines[found[0]] = _DATA.sub("", lines[found[0]])
    return "".join(lines)


def witness_for_tracked_write(trace: Trace, event: DataWrite) -> Witness | None:
    """For a ``.data`` write into a tensor in the graph (not a leaf): the gradient of a leaf
    upstream of it with the write, against the same program with the write tracked."""
    target = event.target
    if event.silently_stale or not isinstance(target, Tensor) or target.is_leaf is not Tri.NO:
        return None
    backward = _backward_after(trace, event)
    if backward is None:
        return None
    leaf = _leaf_with_grad(trace, set(target.prov))
    seqs = set(target.prov) | set(event.prov) | {event.seq} | _backward_seqs(backward)
    script = _script(trace, seqs, frozenset({event.seq, backward.seq}))
    if leaf is None or script is None:
        return None
    control = tracked_form(script)
    if control is None:
        return None
    return Witness(
        script,
        Expectation(kind="differs", observe=f"{leaf}.grad", control_script=control),
        f"the gradient of `{leaf}` differs between the `.data` write and the same write "
        "done as a tracked operation",
    )
