"""Report formats for ``check``, named as ruff's ``--output-format`` names them.

Each is a pure function of results. ``text`` (the default, and the older name) is ``full``:
a line per finding with its notes; ``concise`` leaves the notes out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd_lint.diagnostics import FileResult
from autograd_lint.output.github import render_github
from autograd_lint.output.json_format import render_json
from autograd_lint.output.ruff_formats import (
    render_concise,
    render_gitlab,
    render_grouped,
    render_json_lines,
    render_junit,
)
from autograd_lint.output.sarif import render_sarif
from autograd_lint.output.text import render_statistics, render_summary, render_text

Formatter = Callable[[Sequence[FileResult]], str]

FORMATTERS: dict[str, Formatter] = {
    "text": render_text,
    "full": render_text,
    "concise": render_concise,
    "grouped": render_grouped,
    "json": render_json,
    "json-lines": render_json_lines,
    "junit": render_junit,
    "gitlab": render_gitlab,
    "sarif": render_sarif,
    "github": render_github,
}
TEXT_FORMATS: tuple[str, ...] = ("text", "full", "concise", "grouped")
"""Formats for people: the summary goes to stderr after them."""
FORMATS: tuple[str, ...] = tuple(FORMATTERS)


def render(results: Sequence[FileResult], fmt: str) -> str:
    """The report for ``results`` in format ``fmt`` (one of :data:`FORMATS`)."""
    return FORMATTERS[fmt](results)


__all__ = [
    "FORMATS",
    "FORMATTERS",
    "TEXT_FORMATS",
    "render",
    "render_github",
    "render_json",
    "render_sarif",
    "render_statistics",
    "render_summary",
    "render_text",
]
