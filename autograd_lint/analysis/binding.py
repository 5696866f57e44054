"""Calls into the project's own code: which parameter each argument binds, and what a callee
may see of its caller.

The interpreter follows a call of a function, method, lambda or constructor defined in the
project by running the callee's body on a fresh local state. This module holds the parts of
that which do not depend on the interpreter: Python's argument binding (positional,
keyword, defaults, ``*args`` / ``**kwargs``), the view of the heap a callee is given, and
the limits that keep following calls affordable.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import libcst as cst

from autograd_lint.analysis.names import is_literal
from autograd_lint.analysis.values import PlainValue, Sequence, Unknown, Value, provenance
from autograd_lint.quiet_parse import string_value

MAX_CALL_DEPTH = 4
"""How many calls deep the project's own functions and methods are followed."""
CALL_BUDGET_SHARE = 0.5
"""Calls are followed only while a file has used less than this share of its statement
budget: past it a call is opaque (``Unknown``), so the rest of the file is still analysed."""


@dataclass(frozen=True)
class Bound:
    """The parameters of a followed call and what each one is bound to."""

    names: list[tuple[str, Value]]
    literals: dict[str, cst.BaseExpression]
    """Parameters bound to a literal (an argument or a default): a witness writes them."""


def bind(
    function: cst.FunctionDef | cst.Lambda,
    call: cst.Call | None,
    values: list[Value],
    receiver: Value | None,
) -> Bound:
    """Bind the arguments of ``call`` (evaluated as ``values``, one per ``call.args``) to the
    parameters of ``function``; ``receiver`` fills the first parameter of a bound method.

    Defaults that are literals bind as plain values; other defaults, and parameters an
    argument of unknown shape (``*xs``, ``**kw``) may fill, are ``Unknown``: never a guess.
    """
    params = function.params
    ordered = [*params.posonly_params, *params.params]
    slots: dict[str, Value | None] = {p.name.value: None for p in ordered}
    literals: dict[str, cst.BaseExpression] = {}
    for p in params.kwonly_params:
        slots[p.name.value] = None
    positional: list[Value] = [receiver] if receiver is not None else []
    positional_exprs: list[cst.BaseExpression | None] = [None] * len(positional)
    keywords: dict[str, Value] = {}
    keyword_exprs: dict[str, cst.BaseExpression] = {}
    unknown_spread = False
    args = call.args if call is not None else ()
    for arg, evaluated in zip(args, values, strict=False):
        if arg.star == "*":
            if isinstance(evaluated, Sequence) and not evaluated.homogeneous:
                positional.extend(evaluated.items)
                positional_exprs.extend([None] * len(evaluated.items))
            else:
                unknown_spread = True
        elif arg.star == "**":
            unknown_spread = True
        elif arg.keyword is not None:
            keywords[arg.keyword.value] = evaluated
            keyword_exprs[arg.keyword.value] = arg.value
        else:
            positional.append(evaluated)
            positional_exprs.append(arg.value)
    extra: list[Value] = []
    for i, placed in enumerate(positional):
        if i < len(ordered):
            slots[ordered[i].name.value] = placed
            expr = positional_exprs[i]
            if expr is not None and is_literal(expr):
                literals[ordered[i].name.value] = expr
        else:
            extra.append(placed)
    for name, given in keywords.items():
        if name in slots and slots[name] is None:
            slots[name] = given
            if is_literal(keyword_exprs[name]):
                literals[name] = keyword_exprs[name]
    names: list[tuple[str, Value]] = []
    for p in [*ordered, *params.kwonly_params]:
        name = p.name.value
        slot = slots[name]
        value: Value
        if slot is not None:
            value = slot
        elif unknown_spread:
            value = Unknown()
        elif p.default is not None:
            value = literal_value(p.default) if is_literal(p.default) else Unknown()
            if is_literal(p.default):
                literals[name] = p.default
        else:
            value = Unknown()
        names.append((name, value))
    star = params.star_arg
    if isinstance(star, cst.Param):
        spread: Value = Unknown() if unknown_spread else Sequence(extra, _prov(extra))
        names.append((star.name.value, spread))
    if isinstance(params.star_kwarg, cst.Param):
        names.append((params.star_kwarg.name.value, Unknown()))
    return Bound(names, literals)


def literal_value(node: cst.BaseExpression) -> Value:
    """A literal default as a value: a known constant, or a tuple or list of them
    (``in_channels=(4, 8, 16)``, whose items a loop or comprehension then visits in turn)."""
    if isinstance(node, cst.Tuple | cst.List):
        items: list[Value] = [
            literal_value(e.value) for e in node.elements if isinstance(e, cst.Element)
        ]
        return Sequence(items, frozenset())
    if isinstance(node, cst.Name) and node.value == "None":
        return PlainValue(frozenset(), is_none=True)
    return PlainValue(frozenset(), const=literal_constant(node))


def literal_constant(node: cst.BaseExpression) -> int | bool | str | float | None:
    """The value of a ``True`` / ``False`` / number / string literal (a default, a setting)."""
    if isinstance(node, cst.Float):
        try:
            return float(node.value)
        except ValueError:
            return None
    if isinstance(node, cst.Name) and node.value in {"True", "False"}:
        return node.value == "True"
    if isinstance(node, cst.SimpleString):
        text = string_value(node)
        return text if isinstance(text, str) else None
    if isinstance(node, cst.Integer):
        try:
            return int(node.value, 0)
        except ValueError:
            return None
    return None


def _prov(values: list[Value]) -> frozenset[int]:
    return frozenset().union(*(provenance(v) for v in values)) if values else frozenset()


class HeapView(Mapping[str, Value]):
    """The caller's heap cells (``#<id>.<attr>`` bindings) and nothing else of its names.

    A callee reads the attributes of objects it was handed as its caller left them, but
    resolves its free names in the scope it was defined in, as Python does.
    """

    def __init__(self, *layers: Mapping[str, Value]) -> None:
        self.layers = layers

    def __getitem__(self, key: str) -> Value:
        if key.startswith("#"):
            for layer in self.layers:
                value = layer.get(key)
                if value is not None:
                    return value
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for layer in self.layers:
            for key in layer:
                if key.startswith("#") and key not in seen:
                    seen.add(key)
                    yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)
