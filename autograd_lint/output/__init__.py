"""Report formats for ``check``: text, json, sarif, github. Each is a pure function of results."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd_lint.diagnostics import FileResult
from autograd_lint.output.github import render_github
from autograd_lint.output.json_format import render_json
from autograd_lint.output.sarif import render_sarif
from autograd_lint.output.text import render_statistics, render_summary, render_text

Formatter = Callable[[Sequence[FileResult]], str]

FORMATTERS: dict[str, Formatter] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
}
FORMATS: tuple[str, ...] = tuple(FORMATTERS)


def render(results: Sequence[FileResult], fmt: str) -> str:
    """The report for ``results`` in format ``fmt`` (one of :data:`FORMATS`)."""
    return FORMATTERS[fmt](results)


__all__ = [
    "FORMATS",
    "FORMATTERS",
    "render",
    "render_github",
    "render_json",
    "render_sarif",
    "render_statistics",
    "render_summary",
    "render_text",
]
