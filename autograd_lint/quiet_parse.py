"""Parse and compile the user's text without letting CPython's warnings about it escape.

Compiling source that holds an invalid escape (``"\\d"`` in a plain string) or a number run into
a name (``1if x else 2``) makes CPython emit a ``SyntaxWarning`` or ``DeprecationWarning``.
Those are remarks on the user's code, not ours to print: from the command line they would land
on stderr once per parse (the checker parses a file several times: indentation, statement
starts, the fix check), and in the language server they would go to its log. Every parse of
text that came from the user goes through here.
"""

from __future__ import annotations

import ast
import warnings
from types import CodeType
from typing import Any, Literal

import libcst as cst


def parse_quietly(
    source: str | bytes, filename: str = "<unknown>", mode: Literal["exec", "eval"] = "exec"
) -> ast.Module | ast.Expression:
    """``ast.parse`` with CPython's warnings about the text silenced (errors still raise)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, filename, mode)  # type: ignore[return-value]


def parse_module_quietly(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """:func:`parse_quietly` of a whole module."""
    tree = parse_quietly(source, filename)
    assert isinstance(tree, ast.Module)
    return tree


def compile_quietly(source: str | bytes, filename: str, **options: Any) -> CodeType:
    """``compile(..., "exec")`` with CPython's warnings about the text silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code: CodeType = compile(source, filename, "exec", **options)
        return code


def string_value(node: cst.SimpleString) -> str | bytes:
    """The value of a string literal (libcst evaluates it with ``ast.literal_eval``), its
    warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return node.evaluated_value
