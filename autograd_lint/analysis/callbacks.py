"""Functions handed to code the analysis does not follow.

``layer.register_forward_hook(fn)``, ``atexit.register(fn)``, a library's callback list: the
function may run at any later time (a forward hook runs inside every later call of the
layer), so whatever its body assigns (an attribute of some object, a ``global`` or
``nonlocal`` name) is unknown from the hand-over on. Without this, a value set in
``__init__`` (``self.out = 0``) would still be believed after a hook rebinds it to a tensor
that requires grad, and a backward on it would be reported as cut.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq
from functools import lru_cache

import libcst as cst

from autograd_lint.analysis.holders import forget_handed
from autograd_lint.analysis.state import State
from autograd_lint.analysis.values import Unknown, UserFunction, Value


def hand_over(args: Seq[Value], state: State) -> None:
    """Forget, on this path, what each user function among ``args`` may assign, and what
    each namespace holder among them holds (:func:`~autograd_lint.analysis.holders.forget_handed`)."""
    forget_handed(args, state)
    attributes: set[str] = set()
    names: set[str] = set()
    for value in args:
        if isinstance(value, UserFunction) and value.node is not None:
            assigned_attributes, declared_names = _assigned(value.node)
            attributes |= assigned_attributes
            names |= declared_names
    if attributes:
        for key, _ in state.items_with_prefix("#"):
            if key.rpartition(".")[2] in attributes:
                state.env[key] = Unknown()
    for name in names:
        if state.lookup(name) is not None:
            state.env[name] = Unknown()


@lru_cache(maxsize=1024)
def _assigned(node: cst.FunctionDef | cst.Lambda) -> tuple[frozenset[str], frozenset[str]]:
    """Attribute names the body assigns (``x.a = v``, ``x.a += v``) and the names it declares
    ``global`` / ``nonlocal`` (nested functions included: they may be called too)."""
    finder = _Assignments()
    node.visit(finder)
    return frozenset(finder.attributes), frozenset(finder.names)


class _Assignments(cst.CSTVisitor):
    def __init__(self) -> None:
        self.attributes: set[str] = set()
        self.names: set[str] = set()

    def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_Global(self, node: cst.Global) -> None:
        self.names.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.names.update(item.name.value for item in node.names)

    def _target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Attribute):
            self.attributes.add(target.attr.value)
        elif isinstance(target, cst.Tuple | cst.List):
            for element in target.elements:
                self._target(element.value)
        elif isinstance(target, cst.StarredElement):
            self._target(target.value)
