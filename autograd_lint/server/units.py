"""What gets linted as one program: a text document, or a notebook's code cells in order.

A notebook is analysed as one program because its cells share one namespace: a tensor made in
cell 1 and written through ``.data`` in cell 2 is one pitfall. The cells are concatenated and
a line map sends every finding back to the cell it belongs to, with cell-relative lines.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""Line breaks as libcst counts them (``str.splitlines`` also splits on form feeds etc.)."""
_MAGIC = re.compile(r"^([ \t]*)([%!])", re.MULTILINE)


def split_lines(text: str) -> list[str]:
    """Lines without their terminators, numbered like libcst numbers them (index = line - 1)."""
    return LINE_BREAK.split(text)


@dataclass(frozen=True)
class CellSpan:
    """Where one code cell sits in the concatenated program."""

    uri: str
    first_line: int
    """1-based program line of the cell's first line."""
    line_count: int
    version: int | None


@dataclass(frozen=True)
class LintUnit:
    """A snapshot of one program to lint, and where its lines came from."""

    key: str
    """The text document URI, or the notebook URI."""
    text: str
    path: str
    """File-system path (or the URI when there is none): used for settings and ignores."""
    version: int | None = None
    cells: tuple[CellSpan, ...] = ()
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    @property
    def is_notebook(self) -> bool:
        return bool(self.cells)

    def uris(self) -> list[str]:
        """Every URI this unit publishes diagnostics for (all code cells, even clean ones)."""
        return [cell.uri for cell in self.cells] if self.cells else [self.key]

    def version_of(self, uri: str) -> int | None:
        for cell in self.cells:
            if cell.uri == uri:
                return cell.version
        return self.version

    def locate(self, line: int) -> tuple[str, int]:
        """1-based program line -> (URI, 0-based line in that document)."""
        if not self.cells:
            return self.key, max(line - 1, 0)
        index = max(bisect.bisect_right(self._starts, line) - 1, 0)
        cell = self.cells[index]
        relative = line - cell.first_line
        return cell.uri, min(max(relative, 0), max(cell.line_count - 1, 0))

    def program_line(self, uri: str, line0: int) -> int:
        """Inverse of :meth:`locate`: (URI, 0-based line) -> 1-based program line."""
        for cell in self.cells:
            if cell.uri == uri:
                return cell.first_line + line0
        return line0 + 1


def text_unit(uri: str, text: str, path: str, version: int | None) -> LintUnit:
    return LintUnit(key=uri, text=text, path=path, version=version)


def notebook_unit(
    uri: str, path: str, version: int | None, cells: list[tuple[str, str, int | None]]
) -> LintUnit:
    """Concatenate code cells ``(uri, text, version)`` in order into one program.

    IPython magics and shell escapes (``%timeit``, ``!pip``) are not Python; their first
    character is turned into ``#`` so the line stays (same length, same numbering) but is
    read as a comment.
    """
    parts: list[str] = []
    spans: list[CellSpan] = []
    line = 1
    for cell_uri, cell_text, cell_version in cells:
        body = _MAGIC.sub(r"\1#", cell_text)
        count = len(split_lines(body)) if body else 1
        if body.endswith(("\n", "\r")):
            count -= 1
        count = max(count, 1)
        spans.append(CellSpan(cell_uri, line, count, cell_version))
        parts.append(body if body.endswith(("\n", "\r")) else body + "\n")
        line += count
    return LintUnit(
        key=uri,
        text="".join(parts),
        path=path,
        version=version,
        cells=tuple(spans),
        _starts=tuple(span.first_line for span in spans),
    )
