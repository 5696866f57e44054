"""Notebook code cells as one program: concatenation, magic blanking, and the line map back.

A notebook's cells share one namespace, so a tensor made in cell 1 and written through
``.data`` in cell 3 is one pitfall: the cells are linted as one program. Shared by the
language server (cells arrive as LSP documents) and ``check`` (cells read from ``.ipynb``).

IPython magics and shell escapes (``%timeit``, ``!pip``) are not Python. IPython runs a
line magic as a statement where it stands, so its first character becomes ``pass#``: the line
stays a statement (a block whose body is only magics, ``elif x:`` then ``%load_ext``, still
parses; a comment would leave it empty) and the line numbering is unchanged; only the magic's
own line grows. A cell magic (``%%bash``) makes its whole cell foreign, so every line is
commented.

IPython also compiles each cell on its own, so ``from __future__ import ...`` at the top of
any cell is legal there (and holds for the later cells), while in the joined program it
would follow other code and be a syntax error. Such leading imports become ``pass#`` lines
too; one placed after other code in its cell stays, and is the syntax error IPython reports.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""Line breaks as libcst counts them (``str.splitlines`` also splits on form feeds etc.)."""
_MAGIC = re.compile(r"^([ \t]*)([%!])", re.MULTILINE)
_LINE_START = re.compile(r"^", re.MULTILINE)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
"""One line with its terminator (the last may have none), split as :data:`LINE_BREAK` splits."""
_INDENT = re.compile(r"^([ \t]*)")
_FUTURE_IMPORT = re.compile(r"from[ \t]+__future__[ \t]+import[ \t]+[\w \t,]+(?:#.*)?")


def split_lines(text: str) -> list[str]:
    """Lines without their terminators, numbered like libcst numbers them (index = line - 1)."""
    return LINE_BREAK.split(text)


def lines_with_ends(text: str) -> list[str]:
    """Lines with their terminators, split where :func:`split_lines` splits (``"".join``
    gives ``text`` back)."""
    return _LINE_WITH_END.findall(text)


_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def blank_magics(cell: str) -> str:
    """The cell with magic and shell lines made ``pass`` statements, line count unchanged.

    A magic line ending in a backslash goes on (IPython joins the next line to it), so its
    continuation lines are commented too.
    """
    if cell.lstrip().startswith("%%"):
        return _LINE_START.sub("#", cell)
    if "__future__" in cell:
        cell = _blank_leading_future_imports(cell)
    if not _MAGIC.search(cell):
        return cell
    out: list[str] = []
    continued = False
    for line in _LINE.findall(cell):
        body = line.rstrip("\r\n")
        if continued:
            out.append(_INDENT.sub(r"\1#", line, count=1))
        elif _MAGIC.match(line):
            out.append(_MAGIC.sub(r"\1pass#", line, count=1))
        else:
            out.append(line)
            continue
        continued = body.endswith("\\")
    return "".join(out)


def _blank_leading_future_imports(cell: str) -> str:
    """The cell with the ``from __future__`` imports it starts with (after blank and comment
    lines) made ``pass#`` lines: legal at a cell's start, not in the middle of the program."""
    out: list[str] = []
    lines = _LINE.findall(cell)
    for position, line in enumerate(lines):
        body = line.rstrip("\r\n")
        if _FUTURE_IMPORT.fullmatch(body):
            out.append("pass#" + line)
        elif body.strip() and not body.lstrip().startswith("#"):
            out.extend(lines[position:])
            break
        else:
            out.append(line)
    return "".join(out)


@dataclass(frozen=True)
class Program:
    """Code cells joined into one program, and where each cell starts in it."""

    text: str
    first_lines: tuple[int, ...]
    """1-based program line of each cell's first line."""
    line_counts: tuple[int, ...]

    def locate(self, line: int) -> tuple[int, int]:
        """1-based program line -> (0-based position among the cells, 1-based line in it)."""
        index = max(bisect.bisect_right(self.first_lines, line) - 1, 0)
        relative = line - self.first_lines[index] + 1
        return index, min(max(relative, 1), max(self.line_counts[index], 1))


def concatenate(cells: Sequence[str]) -> Program:
    """Join code cells (magics blanked), each ending in a line break, into one program."""
    parts: list[str] = []
    first_lines: list[int] = []
    counts: list[int] = []
    line = 1
    for cell_text in cells:
        body = blank_magics(cell_text)
        count = len(split_lines(body)) if body else 1
        if body.endswith(("\n", "\r")):
            count -= 1
        count = max(count, 1)
        first_lines.append(line)
        counts.append(count)
        parts.append(body if body.endswith(("\n", "\r")) else body + "\n")
        line += count
    return Program("".join(parts), tuple(first_lines), tuple(counts))
