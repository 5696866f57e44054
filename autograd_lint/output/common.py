"""Small helpers every format shares: iteration order, confirmation wording, rule lookup."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from autograd_lint.diagnostics import (
    INTERNAL_ERROR_CODE,
    IO_ERROR_CODE,
    SYNTAX_ERROR_CODE,
    CellMap,
    Confirmation,
    Diagnostic,
    FileResult,
    Range,
)

BUILTIN_CODES: dict[str, tuple[str, str]] = {
    SYNTAX_ERROR_CODE: ("syntax-error", "The file is not valid Python and was not analysed."),
    IO_ERROR_CODE: (
        "io-error",
        "The file could not be read or decoded (missing, a directory, binary, not UTF-8, "
        "or too large) and was not analysed.",
    ),
    INTERNAL_ERROR_CODE: (
        "internal-error",
        "A phase of the check failed on this file (a bug in autograd-lint): the findings "
        "of that phase are missing, the others are reported.",
    ),
}
"""Codes the core reports itself, outside the rule catalogue."""


def each_diagnostic(results: Sequence[FileResult]) -> Iterator[tuple[str, Diagnostic]]:
    """(path, diagnostic) pairs in file order, then position order."""
    for result in results:
        for diagnostic in result.diagnostics:
            yield result.path, diagnostic


def each_located(
    results: Sequence[FileResult],
) -> Iterator[tuple[FileResult, Diagnostic]]:
    """(result, diagnostic) pairs in file order: formats that need the cell map use these."""
    for result in results:
        for diagnostic in result.diagnostics:
            yield result, diagnostic


def cell_position(cells: CellMap | None, span: Range) -> tuple[int | None, Range]:
    """A program range as (cell number, range within that cell); plain files: (None, span).

    A range is placed in the cell where it starts (a finding never spans two cells).
    """
    if cells is None:
        return None, span
    cell, line = cells.locate(span.start_line)
    shift = span.start_line - line
    return cell, Range(line, span.start_col, max(span.end_line - shift, line), span.end_col)


def other_file(path: str) -> str:
    """A related location's file (absolute), as the reader would type it: relative to the
    working directory when it is below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative


def display_path(path: str, cell: int | None) -> str:
    """``nb.ipynb:cell 3`` for a notebook position (ruff's notation), else the path."""
    return path if cell is None else f"{path}:cell {cell}"


def confirmation_label(confirmation: Confirmation | None) -> str:
    """``confirmed: mini`` and the like; empty when no runtime check ran."""
    if confirmation is None:
        return ""
    backend = confirmation.backend
    if confirmation.device and confirmation.device != "cpu":
        backend = f"{backend}/{confirmation.device}"
    status = confirmation.status.replace("_", " ")
    return f"{status}: {backend}"


def rule_name(code: str) -> str:
    from autograd_lint.rules import RULES_BY_CODE

    rule = RULES_BY_CODE.get(code)
    if rule is not None:
        return rule.name
    return BUILTIN_CODES.get(code, ("", ""))[0]


def is_fixable(diagnostic: Diagnostic) -> bool:
    return diagnostic.fix is not None and diagnostic.fix.safe
