"""Applying fixes to a file: ``check --fix`` and ``check --diff``.

A fix is a set of text edits. Within one round, fixes whose edits overlap an earlier accepted
fix wait for the next round, the file is re-linted, and the loop stops when nothing is left
to fix or after ``MAX_ROUNDS``. Edits are applied back to front so earlier offsets stay valid.
A result that does not parse is never written: the fixes that broke it are dropped one by one.
An edit takes the file's line endings and indentation (:mod:`autograd_lint.text_edits`), and
a round that adds a finding is undone. Writing the file back is
:mod:`autograd_lint.safe_write`: atomic (in place for a hard-linked file), mode and owner kept,
read-only files and symlinks out of the checked tree refused.
"""

from __future__ import annotations

import codecs
import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from autograd_lint import safe_write
from autograd_lint.analysis.parse import normalise
from autograd_lint.config import Settings
from autograd_lint.diagnostics import Diagnostic, FileResult, Fix
from autograd_lint.lint import lint_source
from autograd_lint.text_edits import (  # noqa: F401  (re-exported: the fixer's public API)
    FixError,
    apply_edits,
    compiles,
    line_starts,
    range_offsets,
    to_offset,
)

MAX_ROUNDS = 10

LintFunction = Callable[[str, str, Settings], FileResult]


def parses(source: str) -> bool:
    """libcst parses it (the next round needs a tree) and CPython compiles it (libcst accepts
    some things CPython rejects, such as ``'return' outside function``)."""
    try:
        cst.parse_module(normalise(source).text)  # as the analysis parses it
    except (cst.ParserSyntaxError, RecursionError, ValueError, TypeError, IndexError):
        return False
    return compiles(source)


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
    """Lint and fix until no applicable fix is left (or ``max_rounds``); never unparseable.

    Each round's text is linted again, and a round after which some code is found more often
    than before is undone (the loop stops there): a fix may remove findings, never add one.
    """
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
        after = lint(round_result.text, path, settings)
        added = _added_codes(result, after)
        if added:
            refused.append(
                f"the fixes would add findings ({', '.join(added)}); "
                f"{round_result.applied} fix(es) not applied"
            )
            break
        text = round_result.text
        applied += round_result.applied
        result = after
    return FixOutcome(path, source, text, applied, result, refused)


def _added_codes(before: FileResult, after: FileResult) -> list[str]:
    """Codes found more often in ``after`` than in ``before`` (positions move; counts do not)."""
    old = Counter(d.code for d in before.diagnostics)
    new = Counter(d.code for d in after.diagnostics)
    return sorted(code for code, count in new.items() if count > old[code])


def unified_diff(path: str, before: str, after: str) -> str:
    """A ``diff -u`` of one file, as ruff prints for ``--diff`` (``patch -p0`` applies it)."""
    lines = difflib.unified_diff(
        _lines(before),
        _lines(after),
        fromfile=path,
        tofile=path,
    )
    out = []
    for line in lines:
        out.append(
            line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"
        )
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines with their terminators, broken where ``patch`` and Python break them (not at the
    form feeds and U+2028 that ``str.splitlines`` also breaks at)."""
    starts = line_starts(text)
    ends = [*starts[1:], len(text)]
    return [text[a:b] for a, b in zip(starts, ends, strict=True) if a < b]


def read_source(path: str) -> tuple[str, bool]:
    """The text of ``path`` and whether it began with a UTF-8 BOM (kept when writing back)."""
    data = Path(path).read_bytes()
    bom = data.startswith(codecs.BOM_UTF8)
    return data.decode("utf-8-sig"), bom


def write_atomic(path: str, text: str, bom: bool = False, tree: Sequence[str] = ()) -> None:
    """Write the fixed ``text`` to ``path`` so that the file stays what it was in every other
    respect; see :mod:`autograd_lint.safe_write` for how and why."""
    safe_write.write_fixed(path, (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8"), tree)


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
