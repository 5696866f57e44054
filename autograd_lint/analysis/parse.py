"""Parsing with libcst, and the cheap pre-check that lets most files skip it."""

from __future__ import annotations

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


def parse(source: str) -> cst.Module:
    """Parse, turning every libcst failure (including recursion) into :class:`ParseFailure`."""
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
