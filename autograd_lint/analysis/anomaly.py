"""Where an anomaly-mode call sits in the file: the facts AG014 rests on.

Anomaly detection is a debugging switch; what makes it a finding is only where it is
written, so these facts are syntactic: the enclosing functions, classes, ``if`` tests and
``with`` blocks of the call, whether the module is a test module, and whether a training
loop (a loop that runs a backward or an optimizer step) runs while it is on.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from autograd_lint.analysis.ancestry import ancestors_of

_TEST_MODULES = frozenset({"pytest", "unittest"})
_STEP_CALLS = frozenset({"backward", "step"})


@dataclass(frozen=True)
class AnomalyContext:
    module_level: bool
    """Not inside any function (the ``if __name__ == "__main__":`` block counts as module level)."""
    in_test: bool
    """Inside a ``test*`` function, a ``Test*`` class, or a module that imports pytest/unittest."""
    guarded: bool
    """Inside an ``if`` whose test is anything but ``__name__ == "__main__"`` (a debug flag,
    an environment variable: someone decides when it is on)."""
    with_block: cst.With | None
    """The ``with`` block the call opens, for the context-manager form."""
    training_loop: cst.For | cst.While | None
    """A training loop that runs while anomaly mode is on."""
    inside_loop: bool = False
    """The call sits inside that loop (it is switched on again at every step)."""


class _StepFinder(cst.CSTVisitor):
    """A loop whose body calls ``.backward()`` or ``.step()``."""

    def __init__(self) -> None:
        self.loop: cst.For | cst.While | None = None
        self._loops: list[cst.For | cst.While] = []

    def visit_For(self, node: cst.For) -> None:
        self._loops.append(node)

    def leave_For(self, original_node: cst.For) -> None:
        self._loops.pop()

    def visit_While(self, node: cst.While) -> None:
        self._loops.append(node)

    def leave_While(self, original_node: cst.While) -> None:
        self._loops.pop()

    def visit_Call(self, node: cst.Call) -> None:
        if (
            self.loop is None
            and self._loops
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value in _STEP_CALLS
        ):
            self.loop = self._loops[0]


def _is_main_guard(test: cst.BaseExpression) -> bool:
    return (
        isinstance(test, cst.Comparison)
        and isinstance(test.left, cst.Name)
        and test.left.value == "__name__"
    )


def _imports_test_framework(module: cst.Module) -> bool:
    for statement in module.body:
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            names: list[str] = []
            if isinstance(small, cst.Import):
                names = [module.code_for_node(alias.name) for alias in small.names]
            elif isinstance(small, cst.ImportFrom) and small.module is not None:
                names = [module.code_for_node(small.module)]
            if any(name.split(".")[0] in _TEST_MODULES for name in names):
                return True
    return False


def _training_loop_after(
    statements: list[cst.CSTNode], start: cst.CSTNode | None
) -> cst.For | cst.While | None:
    """The first training loop among ``statements`` from the one holding ``start`` on."""
    finder = _StepFinder()
    seen = start is None
    for statement in statements:
        if not seen:
            seen = statement is start
            if not seen:
                continue
        statement.visit(finder)
        if finder.loop is not None:
            return finder.loop
    return None


def _enclosing_training_loop(ancestors: list[cst.CSTNode]) -> cst.For | cst.While | None:
    """The outermost loop around the call whose body runs a backward or a step."""
    for node in ancestors:
        if isinstance(node, cst.For | cst.While):
            finder = _StepFinder()
            node.visit(finder)
            if finder.loop is not None:
                return node
    return None


def anomaly_context(module: cst.Module, call: cst.Call) -> AnomalyContext | None:
    """The context of ``call`` in ``module`` (``None`` if the call is not in it)."""
    ancestors = ancestors_of(module, call)
    if ancestors is None:
        return None
    functions = [a for a in ancestors if isinstance(a, cst.FunctionDef)]
    classes = [a for a in ancestors if isinstance(a, cst.ClassDef)]
    in_test = (
        any(f.name.value.startswith("test") for f in functions)
        or any(c.name.value.startswith("Test") for c in classes)
        or _imports_test_framework(module)
    )
    guarded = any(isinstance(a, cst.If) and not _is_main_guard(a.test) for a in ancestors) or any(
        isinstance(a, cst.IfExp) for a in ancestors
    )
    with_block = next(
        (
            a
            for a in reversed(ancestors)
            if isinstance(a, cst.With) and any(item.item is call for item in a.items)
        ),
        None,
    )
    loop = _enclosing_training_loop(ancestors)
    inside = loop is not None
    if inside:
        pass  # switched on again at every step of the loop it sits in
    elif with_block is not None:
        loop = _training_loop_after(list(with_block.body.body), None)
    else:
        # the rest of the innermost block that holds the call's statement
        loop = None
        for index in range(len(ancestors) - 2, -1, -1):
            holder = ancestors[index]
            if isinstance(holder, cst.IndentedBlock | cst.Module):
                child = ancestors[index + 1]
                loop = _training_loop_after(list(holder.body), child)
                break
    return AnomalyContext(
        module_level=not functions,
        in_test=in_test,
        guarded=guarded,
        with_block=with_block,
        training_loop=loop,
        inside_loop=inside,
    )
