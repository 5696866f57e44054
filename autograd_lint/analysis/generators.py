"""``for x, y in loader`` over an object of a project class whose ``__iter__`` is a
generator (a hand-written data loader): what the target is bound to on each pass.

Python runs the generator's body as the loop pulls items; the analysis runs
``__iter__`` anew for each pass of the loop (its heap effects flow back as for any
followed call) and binds the target to what its one ``yield`` gave last. A tensor the
body builds (``self.X[idx]``) is a new one on each pass, as it is at run time; a graph
that existed before the loop (labels computed from weights that require grad) is shared
by every batch, as it is at run time. A generator with several ``yield`` sites, ``yield
from``, or one that is not followed gives unknown items.
"""

from __future__ import annotations

from functools import lru_cache

import libcst as cst


@lru_cache(maxsize=256)
def single_yield(function: cst.FunctionDef) -> cst.Yield | None:
    """The one plain ``yield value`` in ``function``'s own body (not in a nested def or
    lambda), or ``None``: no yield, several, or ``yield from``."""
    finder = _Yields()
    function.body.visit(finder)
    if len(finder.found) != 1:
        return None
    (found,) = finder.found
    if found.value is None or isinstance(found.value, cst.From):
        return None
    return found


class _Yields(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[cst.Yield] = []

    def visit_Yield(self, node: cst.Yield) -> None:
        self.found.append(node)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False
