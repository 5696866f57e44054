"""CPython's own verdict on a file, before libcst (or the vocabulary skip) sees it.

CPython's C parser is several times faster than libcst's, its messages and positions are the
ones the user knows, and it refuses what it cannot handle with an exception. libcst's native
parser has no such guard: a few thousand levels of nesting without brackets (``lambda:``,
unary ``-`` / ``not``, conditional expressions, ``**``, even a long ``a + b + ...`` chain)
overflow its stack and kill the process. Measured with libcst 1.9 on CPython 3.11, fresh
process: 3,000 levels parse, nested ``lambda:`` crash from about 3,500, a 10,000-term sum
crashes.

CPython 3.11 builds its AST with a depth check tied to the recursion limit (about three
levels per unit of headroom). The checker raises that limit to 10,000 for its own recursive
work, which would let CPython accept some 6,000 levels: too deep for libcst. So the syntax
check runs under a limit that leaves room for :data:`MAX_NESTING` levels and no more, which
costs nothing beyond the parse itself. (Newer CPythons check C stack use instead; there the
limit falls back to CPython's own.)
"""

from __future__ import annotations

import ast
import sys

from autograd_lint.analysis.parse import ParseFailure
from autograd_lint.quiet_parse import parse_module_quietly

MAX_NESTING = 1800
"""Levels of syntactic nesting CPython may accept here: half of where libcst starts to crash,
far beyond any written program (CPython's own default limit allows about 3,000)."""


def _stack_depth() -> int:
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back  # type: ignore[assignment]
    return depth


def check_syntax(source: str, filename: str = "<unknown>") -> ast.Module:
    """Raise :class:`ParseFailure` with CPython's message and position if it refuses the text,
    or if it nests deeper than :data:`MAX_NESTING` (which libcst's parser may not survive).

    The recursion limit is lowered for the parse only; another thread deep in recursion at
    that moment could see a RecursionError, which is why the server lints in processes.
    Returns CPython's tree (statement positions are read from it).
    """
    previous = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(min(previous, _stack_depth() + MAX_NESTING // 3))
        try:
            return parse_module_quietly(source, filename)  # invalid escapes are not our report
        finally:
            sys.setrecursionlimit(previous)
    except SyntaxError as error:  # IndentationError and TabError included
        line = error.lineno or 1
        column = max((error.offset or 1) - 1, 0)
        raise ParseFailure(error.msg or "invalid syntax", line, column) from None
    except (RecursionError, MemoryError):
        raise ParseFailure(
            f"too deeply nested to analyse (more than about {MAX_NESTING} levels)"
        ) from None
    except ValueError as error:  # NUL bytes and the like
        raise ParseFailure(str(error)) from None
