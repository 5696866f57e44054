"""Linting a very large file segment by segment (:mod:`autograd_lint.analysis.segments`).

Each segment is normalised, parsed, analysed, run through the rules, its suppression
comments and the fix check, and its findings are moved to the file's own lines; then its
tree and trace are dropped, and the cyclic collector is run once so that what they held is
free before the next segment is parsed. So the memory a file needs is that of one segment's
parse, not the file's, and the time stays linear in the file's size.
"""

from __future__ import annotations

import bisect
import gc
from dataclasses import dataclass, field, replace

from autograd_lint.analysis.parse import ParseFailure, normalise, parse, restore
from autograd_lint.analysis.project import Project
from autograd_lint.analysis.pruning import prune
from autograd_lint.analysis.segments import Context, Segment, analyze_segment, plan
from autograd_lint.config import Settings
from autograd_lint.diagnostics import Diagnostic, Edit, FileResult, Fix, Range, RelatedLocation
from autograd_lint.file_directives import filter_file_ignored
from autograd_lint.isolation import with_internal_error
from autograd_lint.rules import Rule
from autograd_lint.suppression import find_suppressions, is_suppressed
from autograd_lint.text_edits import keep_applicable_fixes


@dataclass
class _Collected:
    """What the segments found so far."""

    found: list[Diagnostic] = field(default_factory=list)
    failures: list[tuple[str, Exception]] = field(default_factory=list)
    dependencies: dict[str, str] = field(default_factory=dict)
    stopped: int | None = None
    stopped_in: tuple[int, int] | None = None
    """The file lines of the segment whose analysis stopped at :attr:`stopped`."""
    syntax_error: Diagnostic | None = None


def lint_in_segments(
    source: str,
    path: str,
    settings: Settings,
    rules: list[Rule],
    witnesses: bool | None,
    project: Project | None = None,
) -> FileResult | None:
    """The file's result analysed in segments, or None when it must be analysed whole (it
    is small, or the segments cannot stand for it; see the segments module)."""
    planned = plan(source)
    if planned is None:
        return None
    segments, skipped = prune(planned)
    del planned
    context = Context.of(segments if skipped is None else [*segments, skipped])
    collected = _Collected()
    want = settings.runtime_check != "off" if witnesses is None else witnesses
    for segment in segments:
        _lint_segment(segment, context, path, settings, rules, want, project, collected)
        gc.collect()  # the segment's tree and trace, before the next parse
        if collected.syntax_error is not None:
            return FileResult(path, (collected.syntax_error,), source)
    from autograd_lint.lint import _order

    failures = list(collected.failures)
    try:
        kept = filter_file_ignored(source, collected.found)
    except Exception as error:
        failures.append(("the suppression comments", error))
        kept = collected.found
    result = FileResult(
        path,
        tuple(kept),
        source,
        dependencies=tuple(sorted(collected.dependencies.items())),
        stopped_at_line=collected.stopped,
        stopped_in_lines=collected.stopped_in,
        segments=len(segments),
    )
    for phase, problem in failures:
        result = with_internal_error(result, phase, problem)
    return replace(result, diagnostics=tuple(sorted(result.diagnostics, key=_order)))


def _lint_segment(
    segment: Segment,
    context: Context,
    path: str,
    settings: Settings,
    rules: list[Rule],
    want: bool,
    project: Project | None,
    collected: _Collected,
) -> None:
    from autograd_lint.lint import _configured, _syntax_error

    shift = segment.line
    last = shift + segment.text.count("\n") + segment.text.count("\r") - segment.text.count("\r\n")
    if segment.text.endswith(("\n", "\r")):
        last -= 1  # the line break ends the segment's last line
    lines = f"lines {shift + 1}-{last + 1}"
    normalised = normalise(segment.text)
    where = path if project is not None else None
    try:
        module = parse(normalised.text)
        trace = analyze_segment(module, segment, normalised.text, context, project, where)
        trace.want_witnesses = want
    except ParseFailure as failure:
        moved = ParseFailure(failure.message, failure.line + shift, failure.column)
        collected.syntax_error = _syntax_error(moved)
        return
    except Exception as error:  # a bug in the analysis: these lines only, and said so
        collected.failures.append((f"the analysis ({lines})", error))
        return
    del module
    found: list[Diagnostic] = []
    for rule in rules:
        try:
            for diagnostic in rule.check(trace):
                if not any(diagnostic is other for other in trace.elsewhere_only):
                    found.extend(_configured(restore(diagnostic, normalised), settings))
        except Exception as error:
            collected.failures.append((f"rule {rule.code} ({rule.name}, {lines})", error))
    if trace.stopped_at is not None and collected.stopped is None:
        collected.stopped = trace.range_of(trace.stopped_at).start_line + shift
        collected.stopped_in = (shift + 1, last + 1)
    collected.dependencies.update(trace.dependencies)
    del trace
    if not found:
        return
    found = _closed_only(found, context.open_lines(segment))
    try:
        suppressions = find_suppressions(segment.text)
        found = [d for d in found if not is_suppressed(d, suppressions)]
    except Exception as error:
        collected.failures.append((f"the suppression comments ({lines})", error))
    try:
        future = segment.future if shift else None
        found = keep_applicable_fixes(segment.text, found, path, future)
    except Exception as error:
        collected.failures.append((f"checking the fixes ({lines})", error))
    collected.found.extend(moved_down(d, shift) for d in found)


def _closed_only(found: list[Diagnostic], open_spans: list[tuple[int, int]]) -> list[Diagnostic]:
    """The findings none of whose places lies in an open top-level statement."""
    if not open_spans:
        return found
    firsts = [first for first, _ in open_spans]

    def is_open(line: int) -> bool:
        index = bisect.bisect_right(firsts, line) - 1
        return index >= 0 and line <= open_spans[index][1]

    return [
        d
        for d in found
        if not is_open(d.range.start_line)
        and not any(r.path is None and is_open(r.range.start_line) for r in d.related)
    ]


def moved_down(diagnostic: Diagnostic, lines: int) -> Diagnostic:
    """``diagnostic`` with every place of this file ``lines`` lines further down."""
    if not lines:
        return diagnostic

    def move(span: Range) -> Range:
        return Range(span.start_line + lines, span.start_col, span.end_line + lines, span.end_col)

    def move_fix(fix: Fix) -> Fix:
        return replace(fix, edits=tuple(Edit(move(e.range), e.new_text) for e in fix.edits))

    return diagnostic.with_(
        range=move(diagnostic.range),
        related=tuple(
            r if r.path is not None else RelatedLocation(move(r.range), r.message, r.path)
            for r in diagnostic.related
        ),
        fix=move_fix(diagnostic.fix) if diagnostic.fix is not None else None,
        extra_fixes=tuple(move_fix(f) for f in diagnostic.extra_fixes),
    )
