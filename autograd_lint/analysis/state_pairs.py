"""Witness stand-ins for the state of an LSTM: a pair of tensors, never one tensor.

``nn.LSTMCell(i, h)(x, hx)`` takes ``hx = (h, c)`` and torch refuses a tensor there
("argument 'hx' (position 2) must be tuple of Tensors"); ``nn.LSTM`` takes the pair
``(h_0, c_0)`` likewise. A placeholder the script only ever hands to such a call as its
state (``hidden = cell(inp, hidden)``: the state given, then the new one bound) is written
as a pair, each of the shape the state takes; a tensor stand-in would end the replay on an
error of its own.
"""

from __future__ import annotations

import ast

from autograd_lint.analysis.shapes import PLACEHOLDER_PREFIX, _callee

_PAIR_TAKERS = frozenset({"LSTM", "LSTMCell"})
"""``nn`` classes whose call takes its recurrent state as a pair."""


def pair_names(script: str, names: list[str]) -> set[str]:
    """Names of ``script`` every read of which, up to the statement that first binds them,
    is the second argument of a call of an ``nn.LSTM`` or ``nn.LSTMCell`` the script made."""
    try:
        tree = ast.parse(script)
    except SyntaxError:
        return set()
    takers: set[str] = set()
    open_names = set(names)
    as_state: dict[str, int] = {}
    disqualified: set[str] = set()
    for statement in tree.body:
        if _is_marker(statement):
            continue  # the placeholder line of a name: what it stands for is being decided
        reads: dict[str, int] = {}
        stores: set[str] = set()
        state_reads: dict[str, int] = {}
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and node.id in open_names:
                if isinstance(node.ctx, ast.Load):
                    reads[node.id] = reads.get(node.id, 0) + 1
                else:
                    stores.add(node.id)
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in takers
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Name)
                and node.args[1].id in open_names
            ):
                state_reads[node.args[1].id] = state_reads.get(node.args[1].id, 0) + 1
        for name, count in reads.items():
            if state_reads.get(name, 0) == count:
                as_state[name] = as_state.get(name, 0) + count
            else:
                disqualified.add(name)
        open_names -= stores | disqualified
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            value = statement.value
            if isinstance(target, ast.Name) and isinstance(value, ast.Call):
                kind = (_callee(value) or "").rsplit(".", 1)[-1]
                if kind in _PAIR_TAKERS:
                    takers.add(target.id)
    return {name for name, count in as_state.items() if count and name not in disqualified}


def _is_marker(statement: ast.stmt) -> bool:
    return (
        isinstance(statement, ast.Assign)
        and isinstance(statement.value, ast.Name)
        and statement.value.id.startswith(PLACEHOLDER_PREFIX)
    )
