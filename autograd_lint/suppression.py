"""Inline suppressions: ``# noqa: AG001`` (flake8/ruff convention) and
``# autograd-lint: ignore[AG001]``.

A bare ``# noqa`` silences every code on its line, as in flake8 and ruff.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from autograd_lint.diagnostics import Diagnostic

_NOQA = re.compile(
    r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*))?", re.IGNORECASE
)
_IGNORE = re.compile(r"#\s*autograd-lint:\s*ignore\[(?P<codes>[^\]]*)\]")
_CODE = re.compile(r"[A-Z]+[0-9]+")
_QUICK = re.compile(r"noqa|autograd-lint:", re.IGNORECASE)

ALL_CODES = "*"


@dataclass(frozen=True)
class Suppression:
    """The codes silenced on one line; ``ALL_CODES`` for a bare ``# noqa``."""

    line: int
    codes: frozenset[str]
    start_col: int
    """Column where the suppression comment starts (for editors that show or edit it)."""


def find_suppressions(source: str) -> dict[int, Suppression]:
    """Suppression comments by 1-based line number. Cheap: skipped when no ``#`` is present."""
    found: dict[int, Suppression] = {}
    if not _QUICK.search(source):  # case-insensitive, like _NOQA itself
        return found
    for number, column, line in comments(source):
        codes: set[str] = set()
        start = -1
        for match in _NOQA.finditer(line):
            start = match.start() if start < 0 else start
            group = match.group("codes")
            codes |= set(_CODE.findall(group.upper())) if group else {ALL_CODES}
        for match in _IGNORE.finditer(line):
            start = match.start() if start < 0 else start
            codes |= set(_CODE.findall(match.group("codes").upper())) or {ALL_CODES}
        if codes:
            found[number] = Suppression(number, frozenset(codes), column + start)
    return found


def comments(source: str) -> Iterator[tuple[int, int, str]]:
    """(line, column, text) of each comment, as Python's tokenizer sees them: a ``# noqa``
    inside a string is not a comment, and lines end at ``\\n``, ``\\r\\n`` and ``\\r`` only
    (not at the form feeds or U+2028 that ``str.splitlines`` breaks on)."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.start[1], token.string
    except (tokenize.TokenError, SyntaxError):
        return  # not valid Python: it is reported as E999, nothing to suppress


def is_suppressed(diagnostic: Diagnostic, suppressions: dict[int, Suppression]) -> bool:
    entry = suppressions.get(diagnostic.range.start_line)
    return entry is not None and (ALL_CODES in entry.codes or diagnostic.code in entry.codes)


def filter_suppressed(source: str, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics not silenced by a comment on their first line."""
    suppressions = find_suppressions(source)
    return [d for d in diagnostics if not is_suppressed(d, suppressions)]
