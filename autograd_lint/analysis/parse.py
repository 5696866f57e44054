"""Parsing with libcst, and the cheap pre-check that lets most files skip it."""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass

import libcst as cst

from autograd_lint.ops import AUTOGRAD_VOCABULARY


@dataclass
class ParseFailure(Exception):
    """The source is not valid Python (or is too deeply nested to parse)."""

    message: str
    line: int = 1
    column: int = 0


def mentions_autograd(source: str) -> bool:
    """False when the text cannot contain a finding: no backward, ``.data``, clone, ..."""
    return any(word in source for word in AUTOGRAD_VOCABULARY)


MAX_BRACKET_DEPTH = 200
"""CPython refuses deeper bracket nesting ("too many nested parentheses"); libcst's native
parser can crash the process on it (about 2,000 levels), so such files stop here."""

_OPEN = str.maketrans({c: "(" for c in "([{"} | {c: ")" for c in ")]}"})


def bracket_depth(source: str) -> int:
    """Deepest bracket nesting, counting brackets inside strings too (an upper bound)."""
    if source.count("(") + source.count("[") + source.count("{") <= MAX_BRACKET_DEPTH:
        return 0
    depth = deepest = 0
    for char in source.translate(_OPEN):
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


def _too_deep(source: str) -> ParseFailure | None:
    if bracket_depth(source) <= MAX_BRACKET_DEPTH:
        return None
    try:  # brackets inside strings may have been counted: let CPython's parser decide
        ast.parse(source)
    except SyntaxError as error:
        return ParseFailure(
            error.msg or "invalid syntax", error.lineno or 1, max((error.offset or 1) - 1, 0)
        )
    except (RecursionError, MemoryError, ValueError):
        return ParseFailure("too deeply nested to analyse", 1, 0)
    return None


def parse(source: str) -> cst.Module:
    """Parse, turning every libcst failure (including recursion) into :class:`ParseFailure`."""
    failure = _too_deep(source)
    if failure is not None:
        raise failure
    try:
        return cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        message = str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"
        return _raise(message, error.raw_line, error.raw_column)
    except RecursionError:
        return _raise("too deeply nested to analyse", 1, 0)
    except (ValueError, TypeError, IndexError) as error:  # libcst internal failures
        return _raise(f"cannot parse: {error}", 1, 0)


def _raise(message: str, line: int, column: int) -> cst.Module:
    raise ParseFailure(message, max(line, 1), max(column, 0))


sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
