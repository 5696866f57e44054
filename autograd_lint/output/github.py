"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

See "Workflow commands for GitHub Actions": property values escape ``%``, CR, LF, ``:``
and ``,``; the message escapes ``%``, CR and LF.
"""

from __future__ import annotations

from collections.abc import Sequence

from autograd_lint.diagnostics import FileResult, Severity
from autograd_lint.output.common import cell_position, confirmation_label, each_located

COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
    Severity.PREVIEW: "notice",
}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(results: Sequence[FileResult]) -> str:
    lines = []
    for result, diagnostic in each_located(results):
        path = result.path
        cell, span = cell_position(result.cells, diagnostic.range)
        title = diagnostic.code if cell is None else f"{diagnostic.code} (cell {cell})"
        properties = ",".join(
            [
                f"file={escape_property(path)}",
                f"line={span.start_line}",
                f"col={span.start_col + 1}",
                f"endLine={span.end_line}",
                f"endColumn={span.end_col + 1}",
                f"title={escape_property(title)}",
            ]
        )
        message = diagnostic.message if cell is None else f"cell {cell}: {diagnostic.message}"
        label = confirmation_label(diagnostic.confirmation)
        if label:
            message += f" [{label}]"
        command = COMMANDS[diagnostic.severity]
        lines.append(f"::{command} {properties}::{escape_data(message)}")
    return "".join(line + "\n" for line in lines)
