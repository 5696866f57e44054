"""Witnesses: one statement that calls a followed function twice.

``loss_d = D(fake) - D(real)`` runs ``Critic.forward`` twice, and the trace keeps one
binding of its parameter ``x`` for the statement (the last). A script written with that
one binding would compute ``D(real) - D(real)``: another program. Where each call runs a
body of one ``return`` (a critic's ``return self.net(x).mean()``), the script binds the
parameters anew before each run of that ``return``, from the call's own arguments:
``x = fake``, ``returned_16 = self_net(x).mean()``, ``x = real``, ``returned_17 = ...``.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.trace import Trace

Bindings = dict[int, list[tuple[str, cst.BaseExpression]]]
"""The number of a ``return`` run -> the parameters to bind before it, with the
argument expressions of the call that ran it."""


class _Functions(cst.CSTVisitor):
    """The function each simple statement is in (the innermost)."""

    def __init__(self) -> None:
        self.found: dict[int, cst.FunctionDef] = {}
        self._open: list[cst.FunctionDef] = []

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._open.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._open.pop()

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if self._open:
            self.found[id(node)] = self._open[-1]


_FUNCTIONS: dict[int, tuple[cst.Module, dict[int, cst.FunctionDef]]] = {}
"""The functions of the statements of the last file looked at."""


def _function_of(trace: Trace, statement: cst.CSTNode) -> cst.FunctionDef | None:
    cached = _FUNCTIONS.get(id(trace))
    if cached is None or cached[0] is not trace.module:
        visitor = _Functions()
        trace.module.visit(visitor)
        _FUNCTIONS.clear()
        cached = (trace.module, visitor.found)
        _FUNCTIONS[id(trace)] = cached
    return cached[1].get(id(statement))


class _Calls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.found.append(node)


def _parameters(function: cst.FunctionDef) -> list[str] | None:
    """The plain positional parameters, less ``self``; ``None`` for any other kind (a
    default, ``*args``, keyword-only): the call's arguments would not say them all."""
    params = function.params
    if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.kwonly_params:
        return None
    if params.star_kwarg is not None or params.posonly_params:
        return None
    if any(p.default is not None for p in params.params):
        return None
    names = [p.name.value for p in params.params]
    return names[1:] if names[:1] == ["self"] else names


def per_call_bindings(trace: Trace, seq: int, returns: dict[cst.CSTNode, int]) -> Bindings | None:
    """For statement ``seq``, which binds a parameter twice: the parameters of each call
    that binds such a parameter, to bind before that call's ``return``; ``None`` where such
    a call is not of a one-``return`` function with plain positional arguments (its body
    would read the parameter at more than one statement). The other calls of the
    statement bind their parameters once, as the trace has them."""
    entry = trace.statements.get(seq)
    if entry is None:
        return None
    visitor = _Calls()
    entry[0].visit(visitor)
    calls: list[tuple[cst.Call, int, cst.FunctionDef | None, list[str] | None]] = []
    for call in visitor.found:
        returned = returns.get(call)
        body = trace.statements.get(returned) if returned is not None else None
        if returned is None or body is None:
            continue
        function = _function_of(trace, body[0])
        names = _parameters(function) if function is not None else None
        calls.append((call, returned, function, names))
    seen: set[str] = set()
    twice: set[str] = set()
    for _, _, _, names in calls:
        if names is None:
            return None  # which parameters it binds is unknown
        twice |= seen & set(names)
        seen |= set(names)
    found: Bindings = {}
    for call, returned, function, names in calls:
        assert names is not None and function is not None
        if not twice & set(names):
            continue
        if len(function.body.body) != 1 or trace.called_from.get(returned) != seq:
            return None
        if len(names) != len(call.args) or any(a.keyword is not None or a.star for a in call.args):
            return None
        found[returned] = [(name, arg.value) for name, arg in zip(names, call.args, strict=True)]
    return found or None


def runs_in_order(trace: Trace, seq: int) -> dict[cst.CSTNode, int]:
    """For the calls of statement ``seq`` that end at one ``return`` statement (two calls
    of one function): each call's own run of it, the runs taken in the order the calls
    are written (which is the order Python evaluates them, none being inside another).
    Calls of a function the statement runs once are not in it."""
    entry = trace.statements.get(seq)
    if entry is None:
        return {}
    visitor = _Calls()
    entry[0].visit(visitor)
    by_return: dict[int, list[cst.Call]] = {}
    for call in visitor.found:
        returned = trace.returned_by.get(call)
        body = trace.statements.get(returned) if returned is not None else None
        if body is not None:
            by_return.setdefault(id(body[0]), []).append(call)
    runs: dict[int, list[int]] = {}
    for run, caller in trace.called_from.items():
        body = trace.statements.get(run)
        if caller == seq and body is not None and id(body[0]) in by_return:
            runs.setdefault(id(body[0]), []).append(run)
    found: dict[cst.CSTNode, int] = {}
    for key, calls in by_return.items():
        mine = sorted(runs.get(key, ()))
        if len(calls) < 2 or len(mine) != len(calls) or _nested(calls):
            continue
        found.update(zip(calls, mine, strict=True))
    return found


def _nested(calls: list[cst.Call]) -> bool:
    """Whether one of the calls is inside another (``f(f(x))``: written outer first,
    evaluated inner first)."""
    for outer in calls:
        inner = _Calls()
        for arg in outer.args:
            arg.visit(inner)
        if any(other is not outer and other in inner.found for other in calls):
            return True
    return False
