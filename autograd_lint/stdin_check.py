"""``check -``: lint standard input, as editors' format-on-save hooks and ruff's users expect.

``--stdin-filename PATH`` says which file the text stands for: the configuration is found
from that path, its ``exclude`` (with ``--force-exclude``) and ``per-file-ignores`` apply,
and the findings are reported under that name. With ``--fix`` the fixed text goes to stdout
(so the caller can replace its buffer) and the report to stderr.
"""

from __future__ import annotations

import sys
from dataclasses import replace

from autograd_lint.config import Settings
from autograd_lint.diagnostics import FileResult
from autograd_lint.fixes import fix_source, parses
from autograd_lint.lint import lint_bytes
from autograd_lint.noqa_codes import noqa_warnings
from autograd_lint.notebook import fix_notebook_text, is_notebook, lint_notebook_text
from autograd_lint.runner import CheckOptions, FileOutcome, confirm_diagnostics

STDIN_NAME = "-"


def read_stdin() -> bytes:
    return sys.stdin.buffer.read()


def check_text(data: bytes, name: str, options: CheckOptions) -> tuple[FileOutcome, str]:
    """Lint (and fix) text read from stdin; returns the outcome and the (fixed) text."""
    settings = options.settings
    text = data.decode("utf-8-sig", errors="replace")
    if is_notebook(name):
        result, fixed_text, fixed, diff, refused = _notebook(text, name, settings, options)
    else:
        result = lint_bytes(data, name, settings)
        fixed_text, fixed, diff, refused = text, 0, "", ()
        if options.fix != "none" and result.source is not None and result.diagnostics:
            outcome = fix_source(result.source, name, settings, unsafe=options.unsafe_fixes)
            refused = tuple(outcome.refused)
            if outcome.changed and parses(outcome.fixed):
                fixed = outcome.applied
                if options.fix == "apply":
                    fixed_text, result = outcome.fixed, outcome.result
                else:
                    diff = outcome.diff()
    if settings.runtime_check != "off" and any(d.witness for d in result.diagnostics):
        result = replace(
            result,
            diagnostics=confirm_diagnostics(
                result.diagnostics, settings.runtime_check, settings.device
            ),
        )
    warnings = tuple(
        f"{warning.line}: {warning.message}"
        for warning in ([] if result.cells else noqa_warnings(result.source or ""))
    )
    checked = FileOutcome(replace(result, source=None), fixed, diff, refused, warnings=warnings)
    return checked, fixed_text


def _notebook(
    text: str, name: str, settings: Settings, options: CheckOptions
) -> tuple[FileResult, str, int, str, tuple[str, ...]]:
    result = lint_notebook_text(text, name, settings)
    if options.fix == "none" or not result.diagnostics or result.source is None:
        return result, text, 0, "", ()
    outcome = fix_notebook_text(text, name, settings, options.unsafe_fixes)
    if outcome.text is None:
        return result, text, 0, "", outcome.refused
    if options.fix == "apply":
        return outcome.result, outcome.text, outcome.applied, "", outcome.refused
    return result, text, outcome.applied, outcome.diff, outcome.refused
