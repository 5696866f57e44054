"""``check`` on Jupyter notebooks: the code cells linted as one program, fixes written back.

The cells are joined by :func:`autograd_lint.cells.concatenate` (shared with the language
server), so line numbers in the program are cell lines shifted by the cell's start; the
result carries a :class:`~autograd_lint.diagnostics.CellMap` the formats use to print
``cell N, line L``. ``# noqa`` works per cell line because the lines are kept as they are.

Fixing works on the program with a marker comment between cells, which no fix edits, so the
fixed text splits back into cells even when a fix adds lines. Only the fixed cells' sources
change; outputs, metadata and the other cells are written back as nbformat read them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from autograd_lint.cells import blank_magics, concatenate, lines_with_ends, split_lines
from autograd_lint.config import Settings
from autograd_lint.diagnostics import CellMap, FileResult
from autograd_lint.fixes import fix_source, parses, unified_diff, write_atomic
from autograd_lint.lint import MAX_FILE_BYTES, file_kind, io_error, lint_source
from autograd_lint.safe_write import WriteRefused

NOTEBOOK_SUFFIX = ".ipynb"
CELL_MARKER = "# autograd-lint: cell boundary, do not edit"


def is_notebook(path: str) -> bool:
    return path.endswith(NOTEBOOK_SUFFIX)


class NotebookError(Exception):
    """The file is not a notebook nbformat can read."""


@dataclass(frozen=True)
class Notebook:
    """A parsed notebook and its code cells, in order."""

    node: Any
    """The ``nbformat.NotebookNode`` as read."""
    code_cells: tuple[int, ...]
    """0-based positions of the code cells among all cells."""

    def sources(self) -> list[str]:
        return [self.node.cells[index].source for index in self.code_cells]

    def cell_map(self) -> CellMap:
        program = concatenate(self.sources())
        return CellMap(tuple(i + 1 for i in self.code_cells), program.first_lines)


def read_notebook(text: str) -> Notebook:
    import nbformat

    try:
        node = nbformat.reads(text, as_version=4)
    except Exception as error:  # nbformat raises JSON, validation and version errors alike
        raise NotebookError(f"not a readable Jupyter notebook: {error}") from error
    cells = tuple(i for i, cell in enumerate(node.cells) if cell.get("cell_type") == "code")
    return Notebook(node, cells)


def lint_notebook_text(text: str, path: str, settings: Settings) -> FileResult:
    """Lint a notebook's code cells as one program; unreadable notebooks give E902."""
    try:
        notebook = read_notebook(text)
    except NotebookError as error:
        return io_error(path, str(error))
    program = concatenate(notebook.sources())
    result = lint_source(program.text, path, settings)
    return replace(result, cells=notebook.cell_map())


def read_notebook_file(path: str) -> str | FileResult:
    """The notebook's text, or an E902 result saying why it cannot be read."""
    try:
        info = os.stat(path)  # follows symlinks: a link to /dev/zero is a device
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device could block or never end
            return io_error(path, f"not a regular file ({file_kind(info.st_mode)}): not checked")
        if info.st_size > MAX_FILE_BYTES:
            return io_error(
                path,
                f"file is {info.st_size} bytes, over the {MAX_FILE_BYTES}-byte limit: not checked",
            )
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        return io_error(path, f"cannot read file: {error}")


@dataclass(frozen=True)
class NotebookFix:
    """What fixing a notebook did: the new notebook text (if changed) and per-cell diffs."""

    result: FileResult
    applied: int
    text: str | None
    diff: str
    refused: tuple[str, ...]


def fix_notebook_text(text: str, path: str, settings: Settings, unsafe: bool) -> NotebookFix:
    """Apply fixes to the code cells; ``text`` is ``None`` when nothing changed."""
    import nbformat

    notebook = read_notebook(text)
    sources = notebook.sources()
    blanked = [blank_magics(source) for source in sources]
    marked = "".join(_terminated(cell) + CELL_MARKER + "\n" for cell in blanked)
    outcome = fix_source(marked, path, settings, unsafe=unsafe)
    pieces = outcome.fixed.split(CELL_MARKER + "\n")
    refused = list(outcome.refused)
    if not outcome.changed or len(pieces) != len(sources) + 1 or not parses(outcome.fixed):
        if outcome.changed:
            refused.append("a fix moved a cell boundary; notebook not changed")
        return NotebookFix(lint_notebook_text(text, path, settings), 0, None, "", tuple(refused))
    diffs: list[str] = []
    for index, original, blank, fixed in zip(
        notebook.code_cells, sources, blanked, pieces, strict=False
    ):
        if fixed == _terminated(blank):
            continue
        new_source = _restore_magics(original, blank, fixed)
        if not original.endswith("\n") and new_source.endswith("\n"):
            new_source = new_source[:-1]
        diffs.append(unified_diff(f"{path}:cell {index + 1}", original, new_source))
        notebook.node.cells[index].source = new_source
    new_text = nbformat.writes(notebook.node)
    if not new_text.endswith("\n"):
        new_text += "\n"
    return NotebookFix(
        lint_notebook_text(new_text, path, settings),
        outcome.applied,
        new_text,
        "".join(diffs),
        tuple(refused),
    )


def _terminated(cell: str) -> str:
    return cell if cell.endswith(("\n", "\r")) else cell + "\n"


def _restore_magics(original: str, blank: str, fixed: str) -> str:
    """Put back the magic lines that were commented out, in order, where they now are."""
    pending = [
        (b, o) for b, o in zip(split_lines(blank), split_lines(original), strict=False) if b != o
    ]
    if not pending:
        return fixed
    lines = lines_with_ends(fixed)
    out: list[str] = []
    for line in lines:
        body = line.rstrip("\r\n")
        if pending and body == pending[0][0]:
            out.append(pending[0][1] + line[len(body) :])
            pending.pop(0)
        else:
            out.append(line)
    return "".join(out)


def write_notebook(path: str, text: str, tree: Sequence[str] = ()) -> None:
    write_atomic(path, text, tree=tree)


def check_notebook(
    path: str, settings: Settings, fix: str, unsafe: bool, tree: Sequence[str] = ()
) -> tuple[FileResult, int, str, tuple[str, ...]]:
    """Lint (and with ``fix`` "apply" or "diff", fix) one notebook file.

    Returns the result, how many fixes were applied, the diff, and the refused fixes.
    """
    text = read_notebook_file(path)
    if isinstance(text, FileResult):
        return text, 0, "", ()
    result = lint_notebook_text(text, path, settings)
    if fix == "none" or not result.diagnostics or result.source is None:
        return result, 0, "", ()
    outcome = fix_notebook_text(text, path, settings, unsafe)
    if outcome.text is None:
        return result, 0, "", outcome.refused
    if fix == "apply":
        try:
            write_notebook(path, outcome.text, tree)
        except WriteRefused as refusal:  # read-only, or a link out of the checked tree
            return result, 0, "", (*outcome.refused, str(refusal))
        except OSError as error:  # disk full, quota, ...: the notebook is left as it was
            message = f"cannot write the fixed file: {error.strerror or error}; left unchanged"
            (failed,) = io_error(path, message).diagnostics
            return replace(result, diagnostics=(failed, *result.diagnostics)), 0, "", ()
        return outcome.result, outcome.applied, "", outcome.refused
    return result, outcome.applied, outcome.diff, outcome.refused
