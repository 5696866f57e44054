"""Constants a file keeps in plain config classes: ``cfg.network.coor_bin`` is ``64``.

Code often reads sizes from an instance of a class whose (nested) class attributes are
literals. A witness cannot create the instance (validation allows no user classes and no
attribute outside torch's vocabulary), but it need not: each such read is the literal, so
the witness is written with the number in its place.
"""

from __future__ import annotations

import ast
import re

from autograd_lint.quiet_parse import parse_module_quietly

Constant = int | float | bool | str


def _classes(body: list[ast.stmt]) -> dict[str, ast.ClassDef]:
    return {s.name: s for s in body if isinstance(s, ast.ClassDef)}


def _literal(body: list[ast.stmt], name: str) -> Constant | None:
    """The literal a class body binds ``name`` to, once and plainly."""
    found: list[Constant] = []
    for statement in body:
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target = statement.targets[0]
        if isinstance(target, ast.Name) and target.id == name:
            value = statement.value
            if not isinstance(value, ast.Constant) or not isinstance(value.value, Constant):
                return None
            found.append(value.value)
    return found[0] if len(found) == 1 else None


def _instances(tree: ast.Module) -> dict[str, ast.ClassDef]:
    """Top-level names bound once to ``SomeClass()`` of a top-level class (or to it)."""
    classes = _classes(tree.body)
    counts: dict[str, int] = {}
    bound: dict[str, ast.ClassDef] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    for statement in tree.body:
        if not isinstance(statement, ast.Assign) or len(statement.targets) != 1:
            continue
        target, value = statement.targets[0], statement.value
        if isinstance(value, ast.Call) and not value.args and not value.keywords:
            value = value.func
        if isinstance(target, ast.Name) and isinstance(value, ast.Name) and value.id in classes:
            bound[target.id] = classes[value.id]
    return {name: cls for name, cls in bound.items() if counts.get(name) == 1}


def resolve(source: str, chain: list[str]) -> Constant | None:
    """The literal ``a.b.c`` stands for in ``source``, or ``None``."""
    try:
        tree = parse_module_quietly(source)
    except SyntaxError:
        return None
    cls = _instances(tree).get(chain[0])
    if cls is None or len(chain) < 2:
        return None
    for part in chain[1:-1]:
        inner = _classes(cls.body).get(part)
        if inner is None:
            return None
        cls = inner
    return _literal(cls.body, chain[-1])


_CHAIN = re.compile(r"(?<![\w.])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+)")


def substitute(source: str, lines: list[str], roots: set[str]) -> list[str]:
    """``lines`` with each attribute chain on one of ``roots`` that ``source`` fixes to a
    literal replaced by that literal."""
    cache: dict[str, Constant | None] = {}

    def replace(match: re.Match[str]) -> str:
        text = match.group(1)
        parts = text.split(".")
        if parts[0] not in roots:
            return text
        if text not in cache:
            cache[text] = resolve(source, parts)
        value = cache[text]
        return text if value is None else repr(value)

    return [_CHAIN.sub(replace, line) for line in lines]
