"""Internal errors stay with the file, and the phase, that caused them.

A bug in one rule, in the analysis or in the fixer must not cost a file the findings the
other phases made, nor the run the other files: each phase runs under :func:`guarded`, and a
failure becomes one E001 diagnostic naming the phase, with the traceback kept for
``--verbose``.
"""

from __future__ import annotations

import traceback
from dataclasses import replace

from autograd_lint.diagnostics import (
    INTERNAL_ERROR_CODE,
    Diagnostic,
    FileResult,
    Range,
    Severity,
)

CRASH_MESSAGE = (
    "the checking process died on this file (a crash in a native extension, "
    "such as the parser running out of stack); the file was not checked"
)


def describe(phase: str, error: BaseException | str) -> str:
    """``rule AG001 (data-mutation) failed: KeyError: 'x'``: what the user and a report need."""
    reason = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    return f"{phase} failed: {reason}"


def internal_error(phase: str, error: BaseException | str) -> Diagnostic:
    """The E001 diagnostic for ``phase`` failing with ``error`` (at the top of the file)."""
    return Diagnostic(
        code=INTERNAL_ERROR_CODE,
        message=f"internal error: {describe(phase, error)}; its findings here are missing",
        range=Range(1, 0, 1, 0),
        severity=Severity.ERROR,
    )


def with_internal_error(
    result: FileResult, phase: str, error: BaseException | str, trace: str | None = None
) -> FileResult:
    """``result`` plus the E001 diagnostic for ``phase`` (and its traceback, if one is given)."""
    if trace is None and isinstance(error, BaseException):
        trace = "".join(traceback.format_exception(error))
    return replace(
        result,
        diagnostics=(internal_error(phase, error), *result.diagnostics),
        internal_errors=(
            *result.internal_errors,
            (describe(phase, error), trace or str(error)),
        ),
    )


def failed_file(path: str, phase: str, error: BaseException | str) -> FileResult:
    """A file for which nothing could be kept: just the E001 diagnostic."""
    return with_internal_error(FileResult(path, ()), phase, error)
