"""``check --add-noqa``: a ``# noqa: CODE`` on each line that has findings, as ruff does.

Adopting a linter on an existing code base starts from a clean baseline: every current
finding is marked where it is, and only new ones fail CI. A line that already has a
``# noqa: X`` gets the new codes added to it; a bare ``# noqa`` already silences everything;
any other comment keeps its text and gets the directive after it. A line that continues
with a backslash cannot take a comment and is left as it is (and counted as skipped). The
result is checked to still parse before it is written.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Iterable
from dataclasses import dataclass

from autograd_lint.diagnostics import Diagnostic
from autograd_lint.fixes import line_starts
from autograd_lint.quiet_parse import parse_module_quietly
from autograd_lint.suppression import ALL_CODES, find_suppressions

_NOQA_CODES = re.compile(r"(#\s*noqa:\s*)([A-Z]+[0-9]+(?:[\s,]+[A-Z]+[0-9]+)*)", re.IGNORECASE)
_CODE = re.compile(r"[A-Z]+[0-9]+")


@dataclass(frozen=True)
class NoqaEdit:
    """What adding directives to one file did."""

    text: str
    added: int
    skipped: int


def add_noqa(source: str, diagnostics: Iterable[Diagnostic]) -> NoqaEdit:
    """``source`` with a directive for every rule finding in ``diagnostics`` (syntax and
    I/O errors are not findings to silence)."""
    wanted: dict[int, set[str]] = {}
    for diagnostic in diagnostics:
        if diagnostic.code.startswith("AG"):
            wanted.setdefault(diagnostic.range.start_line, set()).add(diagnostic.code)
    if not wanted:
        return NoqaEdit(source, 0, 0)
    existing = find_suppressions(source)
    ends_in_code = _lines_ending_in_code(source)
    starts = line_starts(source)
    text = source
    added = skipped = 0
    for line in sorted(wanted, reverse=True):  # back to front: earlier offsets stay valid
        suppression = existing.get(line)
        have = suppression.codes if suppression is not None else frozenset()
        if ALL_CODES in have:
            continue
        codes = wanted[line] - have
        if not codes or line > len(starts):
            continue
        begin = starts[line - 1]
        end = starts[line] if line < len(starts) else len(text)
        physical = text[begin:end]
        body = physical.rstrip("\r\n")
        ending = physical[len(body) :]
        column = suppression.start_col if suppression is not None else None
        new_body = _with_codes(body, codes, column) if line in ends_in_code else None
        if new_body is None:
            skipped += 1
            continue
        text = text[:begin] + new_body + ending + text[end:]
        added += 1
    try:
        parse_module_quietly(text)
    except SyntaxError:
        return NoqaEdit(source, 0, added + skipped)
    return NoqaEdit(text, added, skipped)


def _with_codes(body: str, codes: set[str], comment_at: int | None) -> str | None:
    """The line with ``codes`` added to its ``# noqa: ...`` (the comment the tokenizer found
    at ``comment_at``, never a look-alike inside a string) or a new directive after it."""
    existing = _NOQA_CODES.search(body, comment_at) if comment_at is not None else None
    if existing is not None:
        merged = sorted(set(_CODE.findall(existing.group(2).upper())) | codes)
        return body[: existing.start(2)] + ", ".join(merged) + body[existing.end(2) :]
    return f"{body.rstrip()}  # noqa: {', '.join(sorted(codes))}"


def _lines_ending_in_code(source: str) -> set[int]:
    """Lines whose end is outside any string: a comment may go there. A line that ends
    inside a triple-quoted string, or continues with a backslash, is not among them."""
    lines: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
            if token.type in (tokenize.NEWLINE, tokenize.NL):
                lines.add(token.start[0])
    except (tokenize.TokenError, SyntaxError):
        return set()
    return lines
