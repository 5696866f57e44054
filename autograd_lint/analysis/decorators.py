"""Decorators and grad-mode calls: which grad mode ``@torch.no_grad()``, ``with
torch.set_grad_enabled(flag):`` and friends set, and which decorators a followed call may
look through.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis.names import dotted, literal_bool
from autograd_lint.analysis.values import ModuleRef, Tri

if TYPE_CHECKING:
    from autograd_lint.analysis.frame import InterpreterBase
    from autograd_lint.analysis.state import State

NOT_A_MODE = object()
"""Returned for an expression that sets no grad mode."""

FOLLOWED_DECORATORS = frozenset({"staticmethod", "classmethod", "property"})


def followable(function: cst.FunctionDef) -> bool:
    """A function whose decorators are known to call it as written (grad-mode decorators,
    ``staticmethod``, ``classmethod``, ``property``); any other decorator may replace it."""
    for decorator in function.decorators:
        name = decorator_name(decorator)
        tail = name.rsplit(".", 1)[-1]
        if name in FOLLOWED_DECORATORS:
            continue
        if tail in ops.GRAD_MODE_CONTEXTS and ("torch" in name or "." not in name):
            continue
        return False
    return True


def has_decorator(function: cst.FunctionDef, name: str) -> bool:
    return any(decorator_name(d) == name for d in function.decorators)


def is_staticmethod(function: cst.FunctionDef) -> bool:
    return has_decorator(function, "staticmethod")


def is_classmethod(function: cst.FunctionDef) -> bool:
    return has_decorator(function, "classmethod")


def grad_mode_call(expr: cst.BaseExpression, interpreter: InterpreterBase, state: State) -> object:
    """The grad mode a ``torch.no_grad()``-like call sets, or ``NOT_A_MODE``."""
    if not isinstance(expr, cst.Call):
        return NOT_A_MODE
    callee = interpreter.expr(expr.func, state) if state is not None else None
    qualname = callee.qualname if isinstance(callee, ModuleRef) else None
    if qualname is None:
        return NOT_A_MODE
    name = qualname.rsplit(".", 1)[-1]
    if not qualname.startswith("torch") or name not in ops.GRAD_MODE_CONTEXTS:
        return NOT_A_MODE
    mode = ops.GRAD_MODE_CONTEXTS[name]
    if mode is None:
        first = expr.args[0].value if expr.args else None
        flag = literal_bool(first)
        return None if flag is Tri.UNKNOWN else flag is Tri.YES
    if name == "inference_mode" and expr.args:
        flag = literal_bool(expr.args[0].value)
        return None if flag is Tri.UNKNOWN else flag is not Tri.YES
    return mode


def grad_mode_of(expr: cst.BaseExpression, interpreter: InterpreterBase, state: State) -> object:
    return grad_mode_call(expr, interpreter, state)


def decorator_name(decorator: cst.Decorator) -> str:
    """``torch.no_grad`` for ``@torch.no_grad()`` and for ``@torch.no_grad``."""
    expression = decorator.decorator
    return dotted(expression.func if isinstance(expression, cst.Call) else expression) or ""


def decorator_site(function: cst.FunctionDef) -> cst.CSTNode | None:
    for decorator in function.decorators:
        name = decorator_name(decorator)
        if name.rsplit(".", 1)[-1] in ops.GRAD_MODE_CONTEXTS:
            return decorator.decorator
    return None


def decorator_grad_mode(function: cst.FunctionDef, current: bool | None) -> bool | None:
    """``@torch.no_grad()`` and friends set the grad mode of the whole body."""
    for decorator in function.decorators:
        name = decorator_name(decorator)
        tail = name.rsplit(".", 1)[-1]
        if tail in ops.GRAD_MODE_CONTEXTS and ("torch" in name or "." not in name):
            mode = ops.GRAD_MODE_CONTEXTS[tail]
            if mode is None:
                call = decorator.decorator
                flag = (
                    literal_bool(call.args[0].value)
                    if isinstance(call, cst.Call) and call.args
                    else Tri.UNKNOWN
                )
                return None if flag is Tri.UNKNOWN else flag is Tri.YES
            return mode
    return current
