"""Linting a very large file segment by segment (:mod:`autograd_lint.analysis.segments`).

Each segment is normalised, parsed, analysed, run through the rules, its suppression
comments and the fix check, and its findings are moved to the file's own lines; then its
tree and trace are dropped, and the cyclic collector is run once so that what they held is
free before the next segment is parsed. So the memory a file needs is that of one segment's
parse, not the file's, and the time stays linear in the file's size.

Where the runner checks files one at a time, the segments are planned and analysed in
forked processes instead, two at a time by default (:mod:`autograd_lint.segment_processes`):
each child analyses its segment exactly as this process would, with what the segments above
it carried, and the outcomes are merged here in file order, so the result is the same.
Measured on the generated 10 MB benchmark file (``benchmarks/bench_huge_file.py``, two
cores): 41 s in one process, 21.6 s in two, the same 922 findings.
"""

from __future__ import annotations

import bisect
import gc
import traceback
from collections.abc import Callable, Iterator
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
from autograd_lint.text_edits import TopLevel, keep_applicable_fixes


@dataclass
class SegmentOutcome:
    """What one segment's analysis gave: plain data (a segment may be analysed in another
    process, :mod:`autograd_lint.segment_processes`, and its outcome sent back)."""

    found: list[Diagnostic] = field(default_factory=list)
    """Its findings, at the file's own lines."""
    failures: list[tuple[str, str, str]] = field(default_factory=list)
    """(phase, ``Type: message``, traceback) of each internal error."""
    dependencies: dict[str, str] = field(default_factory=dict)
    stopped: int | None = None
    """The file line where its analysis stopped (its statement budget ran out)."""
    stopped_in: tuple[int, int] | None = None
    """The file lines of the segment, when it stopped."""
    syntax_error: Diagnostic | None = None


def lint_in_segments(
    source: str,
    path: str,
    settings: Settings,
    rules: list[Rule],
    witnesses: bool | None,
    project: Project | None = None,
    processes: int = 1,
) -> FileResult | None:
    """The file's result analysed in segments, or None when it must be analysed whole (it
    is small, or the segments cannot stand for it; see the segments module).

    With ``processes`` over 1 (and where :func:`~autograd_lint.segment_processes.usable`),
    the segments are planned and analysed in that many forked processes at a time; the
    result is the same as in this process alone."""
    from autograd_lint import segment_processes

    parallel = processes > 1 and segment_processes.usable()
    planned = segment_processes.plan(source, processes) if parallel else plan(source)
    if planned is None:
        return None
    segments, skipped = prune(planned)
    del planned
    context = Context.of(segments if skipped is None else [*segments, skipped])
    want = settings.runtime_check != "off" if witnesses is None else witnesses
    job = SegmentJob(context, path, settings, rules, want, project)
    if parallel and len(segments) > 1:
        outcomes = segment_processes.outcomes(segments, job, processes)
    else:
        outcomes = outcomes_here(segments, job)
    found: list[Diagnostic] = []
    failures: list[tuple[str, str, str]] = []
    dependencies: dict[str, str] = {}
    stopped: int | None = None
    stopped_in: tuple[int, int] | None = None
    for outcome in outcomes:
        if outcome.syntax_error is not None:
            return FileResult(path, (outcome.syntax_error,), source)
        found.extend(outcome.found)
        failures.extend(outcome.failures)
        dependencies.update(outcome.dependencies)
        if outcome.stopped is not None and stopped is None:
            stopped, stopped_in = outcome.stopped, outcome.stopped_in
    from autograd_lint.lint import _order

    try:
        kept = filter_file_ignored(source, found)
    except Exception as error:
        failures.append(_failure("the suppression comments", error))
        kept = found
    result = FileResult(
        path,
        tuple(kept),
        source,
        dependencies=tuple(sorted(dependencies.items())),
        stopped_at_line=stopped,
        stopped_in_lines=stopped_in,
        segments=len(segments),
    )
    for phase, reason, trace in failures:
        result = with_internal_error(result, phase, reason, trace)
    return replace(result, diagnostics=tuple(sorted(result.diagnostics, key=_order)))


@dataclass
class SegmentJob:
    """What every segment of one file is analysed with."""

    context: Context
    path: str
    settings: Settings
    rules: list[Rule]
    want: bool
    """Whether witnesses are built."""
    project: Project | None


def outcomes_here(segments: list[Segment], job: SegmentJob) -> Iterator[SegmentOutcome]:
    """The segments' outcomes, in order, analysed in this process one after the other."""
    for segment in segments:
        yield lint_segment(segment, job)
        gc.collect()  # the segment's tree and trace, before the next parse


def _failure(phase: str, error: BaseException) -> tuple[str, str, str]:
    return phase, f"{type(error).__name__}: {error}", "".join(traceback.format_exception(error))


def lint_segment(
    segment: Segment,
    job: SegmentJob,
    parsed: Callable[[], None] | None = None,
    analysed: Callable[[], None] | None = None,
) -> SegmentOutcome:
    """One segment's findings. ``parsed`` is called once libcst has parsed it, before the
    analysis reads ``job.context``; ``analysed`` once its analysis is over or has failed
    (what it carries to the next segments is then in ``job.context``), before the rules."""
    from autograd_lint.lint import _configured, _syntax_error

    context, settings = job.context, job.settings
    outcome = SegmentOutcome()
    shift = segment.line
    last = shift + segment.text.count("\n") + segment.text.count("\r") - segment.text.count("\r\n")
    if segment.text.endswith(("\n", "\r")):
        last -= 1  # the line break ends the segment's last line
    lines = f"lines {shift + 1}-{last + 1}"
    normalised = normalise(segment.text)
    where = job.path if job.project is not None else None
    try:
        try:
            module = parse(normalised.text)
            if parsed is not None:
                parsed()
            trace = analyze_segment(module, segment, normalised.text, context, job.project, where)
            trace.want_witnesses = job.want
        finally:
            if analysed is not None:
                analysed()
    except ParseFailure as failure:
        moved = ParseFailure(failure.message, failure.line + shift, failure.column)
        outcome.syntax_error = _syntax_error(moved)
        return outcome
    except Exception as error:  # a bug in the analysis: these lines only, and said so
        outcome.failures.append(_failure(f"the analysis ({lines})", error))
        return outcome
    del module
    found: list[Diagnostic] = []
    for rule in job.rules:
        try:
            for diagnostic in rule.check(trace):
                if not any(diagnostic is other for other in trace.elsewhere_only):
                    found.extend(_configured(restore(diagnostic, normalised), settings))
        except Exception as error:
            outcome.failures.append(_failure(f"rule {rule.code} ({rule.name}, {lines})", error))
    if trace.stopped_at is not None:
        outcome.stopped = trace.range_of(trace.stopped_at).start_line + shift
        outcome.stopped_in = (shift + 1, last + 1)
    outcome.dependencies.update(trace.dependencies)
    del trace
    if not found:
        return outcome
    found = _closed_only(found, context.open_lines(segment))
    try:
        suppressions = find_suppressions(segment.text)
        found = [d for d in found if not is_suppressed(d, suppressions)]
    except Exception as error:
        outcome.failures.append(_failure(f"the suppression comments ({lines})", error))
    try:
        statements = TopLevel.known(segment.text, segment.spans, segment.future, bool(shift))
        found = keep_applicable_fixes(segment.text, found, job.path, statements=statements)
    except Exception as error:
        outcome.failures.append(_failure(f"checking the fixes ({lines})", error))
    outcome.found.extend(moved_down(d, shift) for d in found)
    return outcome


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
