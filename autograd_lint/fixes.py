"""Applying fixes to a file: ``check --fix`` and ``check --diff``.

A fix is a set of text edits. Within one round, fixes whose edits overlap an earlier accepted
fix wait for the next round, the file is re-linted, and the loop stops when nothing is left
to fix or after ``MAX_ROUNDS``. Edits are applied back to front so earlier offsets stay valid.
A result that does not parse is never written: the fixes that broke it are dropped one by one.
Files are replaced atomically (a temporary file in the same directory, then ``os.replace``),
so an interrupted run leaves the old file or the new one, never a truncated one.
"""

from __future__ import annotations

import codecs
import contextlib
import difflib
import itertools
import os
import re
import stat
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from autograd_lint.config import Settings
from autograd_lint.diagnostics import Diagnostic, Edit, FileResult, Fix, Range
from autograd_lint.lint import lint_source

MAX_ROUNDS = 10
_NEWLINE = re.compile(r"\r\n|\r|\n")

LintFunction = Callable[[str, str, Settings], FileResult]


class FixError(Exception):
    """A fix cannot be applied as described (an edit outside the file)."""


def line_starts(source: str) -> list[int]:
    """Offset of the first character of each line, split as Python's tokenizer splits lines."""
    return [0] + [match.end() for match in _NEWLINE.finditer(source)]


def to_offset(starts: Sequence[int], source: str, line: int, column: int) -> int:
    """(1-based line, 0-based code-point column) -> string offset, validated."""
    if not 1 <= line <= len(starts):
        raise FixError(f"line {line} is outside the file ({len(starts)} lines)")
    start = starts[line - 1]
    end = starts[line] if line < len(starts) else len(source)
    line_text = source[start:end].rstrip("\r\n")
    if not 0 <= column <= len(line_text):
        raise FixError(f"column {column} is outside line {line} ({len(line_text)} characters)")
    return start + column


def range_offsets(source: str, span: Range, starts: Sequence[int] | None = None) -> tuple[int, int]:
    starts = starts if starts is not None else line_starts(source)
    begin = to_offset(starts, source, span.start_line, span.start_col)
    end = to_offset(starts, source, span.end_line, span.end_col)
    if end < begin:
        raise FixError(f"edit range ends before it starts: {span}")
    return begin, end


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (raises :class:`FixError` if two overlap)."""
    starts = line_starts(source)
    spans = sorted(
        ((*range_offsets(source, edit.range, starts), edit.new_text) for edit in edits),
        key=lambda item: (item[0], item[1]),
    )
    for (_, previous_end, _), (begin, _, _) in itertools.pairwise(spans):
        if begin < previous_end:
            raise FixError("overlapping edits")
    text = source
    for begin, end, new_text in reversed(spans):
        text = text[:begin] + new_text + text[end:]
    return text


def parses(source: str) -> bool:
    try:
        cst.parse_module(source)
    except (cst.ParserSyntaxError, RecursionError, ValueError, TypeError, IndexError):
        return False
    return True


def chosen_fixes(diagnostics: Iterable[Diagnostic], unsafe: bool) -> list[Fix]:
    """The fix of each diagnostic that may be applied: safe ones, plus offered ones if asked."""
    chosen: list[Fix] = []
    for diagnostic in diagnostics:
        for candidate in diagnostic.fixes:
            if candidate.display_only:
                continue
            if candidate.safe or unsafe:
                chosen.append(candidate)
                break
    return chosen


@dataclass
class RoundResult:
    text: str
    applied: int
    refused: list[str] = field(default_factory=list)


def apply_fixes(source: str, fixes: Sequence[Fix]) -> RoundResult:
    """One round: apply every fix that does not overlap an earlier one, keeping it parseable."""
    starts = line_starts(source)
    accepted: list[tuple[int, int, Fix]] = []
    taken: list[tuple[int, int]] = []
    refused: list[str] = []
    shares = Counter(id(candidate) for candidate in fixes)
    for candidate in fixes:
        if any(candidate is other for _, _, other in accepted):
            continue  # one fix shared by several findings (a run of writes): applied once
        try:
            spans = [range_offsets(source, edit.range, starts) for edit in candidate.edits]
        except FixError as error:
            refused.append(f"{candidate.title}: {error}")
            continue
        if any(_overlaps(span, other) for span in spans for other in taken):
            continue  # next round, against the re-linted text
        taken.extend(spans)
        begin = min((span[0] for span in spans), default=0)
        end = max((span[1] for span in spans), default=0)
        accepted.append((begin, end, candidate))
    if not accepted:
        return RoundResult(source, 0, refused)
    everything = apply_edits(source, [e for _, _, f in accepted for e in f.edits])
    if parses(everything):
        return RoundResult(everything, sum(shares[id(f)] for _, _, f in accepted), refused)
    # Some fix breaks the syntax: apply them one at a time from the back, keeping those that
    # leave a parseable file. Working back to front keeps the earlier offsets valid.
    text = source
    applied = 0
    for _, _, candidate in sorted(accepted, key=lambda item: item[0], reverse=True):
        attempt = apply_edits(text, candidate.edits)
        if parses(attempt):
            text = attempt
            applied += shares[id(candidate)]
        else:
            refused.append(f"{candidate.title}: the result would not parse; not applied")
    return RoundResult(text, applied, refused)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # Two insertions at one point also conflict: their order would be arbitrary.
    if a == b:
        return True
    return a[0] < b[1] and b[0] < a[1]


@dataclass
class FixOutcome:
    """What fixing one file did. ``result`` is the lint of the final text."""

    path: str
    original: str
    fixed: str
    applied: int
    result: FileResult
    refused: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        return unified_diff(self.path, self.original, self.fixed)


def fix_source(
    source: str,
    path: str,
    settings: Settings,
    unsafe: bool = False,
    max_rounds: int = MAX_ROUNDS,
    lint: LintFunction = lint_source,
    first: FileResult | None = None,
) -> FixOutcome:
    """Lint and fix until no applicable fix is left (or ``max_rounds``); never unparseable."""
    text = source
    result = first if first is not None else lint(text, path, settings)
    applied = 0
    refused: list[str] = []
    for _ in range(max_rounds):
        fixes = chosen_fixes(result.diagnostics, unsafe)
        if not fixes:
            break
        round_result = apply_fixes(text, fixes)
        refused.extend(round_result.refused)
        if round_result.applied == 0 or round_result.text == text:
            break
        text = round_result.text
        applied += round_result.applied
        result = lint(text, path, settings)
    return FixOutcome(path, source, text, applied, result, refused)


def unified_diff(path: str, before: str, after: str) -> str:
    """A ``diff -u`` of one file, as ruff prints for ``--diff`` (``patch -p0`` applies it)."""
    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        fromfile=path,
        tofile=path,
    )
    out = []
    for line in lines:
        out.append(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
        )
    return "".join(out)


def read_source(path: str) -> tuple[str, bool]:
    """The text of ``path`` and whether it began with a UTF-8 BOM (kept when writing back)."""
    data = Path(path).read_bytes()
    bom = data.startswith(codecs.BOM_UTF8)
    return data.decode("utf-8-sig"), bom


def write_atomic(path: str, text: str, bom: bool = False) -> None:
    """Replace ``path`` with ``text`` in one step, keeping its permission bits.

    The new content goes to a temporary file in the same directory (so ``os.replace`` is a
    rename on one file system) and is flushed to disk before the rename. A symlink is
    followed: its target is replaced, the link stays.
    """
    target = os.path.realpath(path)
    directory = os.path.dirname(target) or "."
    mode = stat.S_IMODE(os.stat(target).st_mode)
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.", suffix=".autograd-lint.tmp", dir=directory
    )
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def fix_file(
    path: str,
    settings: Settings,
    unsafe: bool = False,
    write: bool = True,
    lint: LintFunction = lint_source,
) -> FixOutcome:
    """Fix one file on disk (or, with ``write=False``, only compute the fixed text)."""
    source, bom = read_source(path)
    outcome = fix_source(source, path, settings, unsafe=unsafe, lint=lint)
    if write and outcome.changed:
        if not parses(outcome.fixed):  # defensive: apply_fixes already guarantees this
            raise FixError(f"{path}: fixed text does not parse; file left unchanged")
        write_atomic(path, outcome.fixed, bom)
    return outcome
