"""What gets linted as one program: a text document, or a notebook's code cells in order.

A notebook is analysed as one program because its cells share one namespace: a tensor made in
cell 1 and written through ``.data`` in cell 2 is one pitfall. The cells are concatenated and
a line map sends every finding back to the cell it belongs to, with cell-relative lines.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from autograd_lint.cells import LINE_BREAK, concatenate, split_lines

__all__ = ["LINE_BREAK", "CellSpan", "LintUnit", "notebook_unit", "split_lines", "text_unit"]


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

    The joining and magic blanking are :func:`autograd_lint.cells.concatenate`, shared with
    ``check`` on ``.ipynb`` files.
    """
    program = concatenate([cell_text for _, cell_text, _ in cells])
    spans = [
        CellSpan(cell_uri, first, count, cell_version)
        for (cell_uri, _, cell_version), first, count in zip(
            cells, program.first_lines, program.line_counts, strict=True
        )
    ]
    return LintUnit(
        key=uri,
        text=program.text,
        path=path,
        version=version,
        cells=tuple(spans),
        _starts=tuple(span.first_line for span in spans),
    )
