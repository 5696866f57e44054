"""Small helpers on libcst nodes: dotted names, literal arguments, keyword lookup."""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.values import Tri


def dotted(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else ``None``."""
    parts: list[str] = []
    current: cst.BaseExpression = node
    while isinstance(current, cst.Attribute):
        parts.append(current.attr.value)
        current = current.value
    if isinstance(current, cst.Name):
        parts.append(current.value)
        return ".".join(reversed(parts))
    return None


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None and not a.star]


def literal_bool(node: cst.BaseExpression | None) -> Tri:
    """``True`` / ``False`` literals; anything else is unknown."""
    if isinstance(node, cst.Name):
        if node.value == "True":
            return Tri.YES
        if node.value == "False":
            return Tri.NO
    return Tri.UNKNOWN


def is_literal(node: cst.BaseExpression) -> bool:
    """Numbers, strings, None/True/False, and tuples/lists of those."""
    if isinstance(
        node, cst.Integer | cst.Float | cst.Imaginary | cst.SimpleString | cst.ConcatenatedString
    ):
        return True
    if isinstance(node, cst.Name) and node.value in {"True", "False", "None"}:
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return is_literal(node.expression)
    if isinstance(node, cst.Tuple | cst.List):
        return all(isinstance(e, cst.Element) and is_literal(e.value) for e in node.elements)
    return False


def kwarg_tri(call: cst.Call, name: str, default: Tri) -> Tri:
    arg = keyword(call, name)
    return default if arg is None else literal_bool(arg.value)
