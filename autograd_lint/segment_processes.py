"""A very large file's segments planned and analysed in several processes at once.

:mod:`autograd_lint.lint_segments` analyses a segmented file one segment after the other.
Most of a segment's time is libcst's parse and the analysis of its own statements, which
need nothing from the other segments; what does cross a boundary is small and flows one
way: the imports a segment *carries* to the segments below it
(:meth:`~autograd_lint.analysis.segments.Context.carry`), known only once its analysis is
over. So each segment is a forked child (:mod:`autograd_lint.forked`), at most ``processes``
of them at a time, in file order. A child parses its segment, then waits for what the
segments above it carried (the previous child sends it to the parent the moment its own
analysis ends, and the parent passes it on), analyses the segment with exactly that, sends
what it carries on, runs the rules and sends its findings. The parent merges the outcomes
in file order. Every child analyses its segment as the one process would, with the same
context, so the result is the same.

Planning (:func:`~autograd_lint.analysis.segments.plan`) is spread the same way: the file is
cut where the one process would cut it if every segment parsed at the first try; the first
segment is planned here (it holds the ``__future__`` imports every other one compiles
with), the others in children. From the first that does not parse alone on, planning goes
on here exactly as the one process does it (its segment grows until it parses).

Anything unexpected in a child (it dies, its message cannot be read) is not an answer: that
segment and every one after it are then done here, one after the other, from the context
the segments above it left, as without children.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass

from autograd_lint.analysis import segments as segmenting
from autograd_lint.analysis.chunks import cut
from autograd_lint.analysis.segments import Planner, Segment, planned_segment
from autograd_lint.analysis.values import Value
from autograd_lint.forked import Channel, Task, in_order
from autograd_lint.lint_segments import SegmentJob, SegmentOutcome, lint_segment, outcomes_here

PROCESSES = 2
"""Processes a single very large file is analysed in, where a run checks files one at a
time (:func:`autograd_lint.runner.run_checks`); a run of several worker processes analyses
each file in its worker alone. Each holds one segment's parse (a few hundred MB)."""


def usable() -> bool:
    """Whether children can be forked safely here: a POSIX system other than macOS (whose
    system libraries are not safe to use after a fork), and no other thread running (a
    forked child holds only the thread that forked it, and any lock another one held)."""
    return hasattr(os, "fork") and sys.platform != "darwin" and threading.active_count() == 1


# --- planning ------------------------------------------------------------------------------


def plan(source: str, processes: int) -> list[Segment] | None:
    """:func:`~autograd_lint.analysis.segments.plan` of ``source``, the same segments,
    planned in up to ``processes`` children at a time (see the module doc)."""
    if not segmenting.worth_planning(source):
        return None
    pieces = cut(source)
    groups = _first_cut(pieces)
    planner = Planner()
    found = next(planner.texts(pieces, 0, stop_after=1), None)
    if found is None or not planner.add(*found):
        return None
    if len(groups) == 1 or planner.next_piece != groups[1][0]:  # no cut known beyond
        return planner.finish(planner.texts(pieces, planner.next_piece))
    texts = ["".join(pieces[begin:end]) for begin, end in groups[1:]]
    with contextlib.closing(_planned(texts, planner, processes)) as answers:
        for index, answer in enumerate(answers):
            if isinstance(answer, _Unparsed):  # from here on, as in one process
                return planner.finish(planner.texts(pieces, groups[index + 1][0]))
            if answer is None:
                return None
            planner.append(answer)
    return planner.finish(iter(()))


_FAILED = object()


@dataclass(frozen=True)
class _Unparsed:
    """A text that does not parse alone (its segment grows in the one process)."""


def _first_cut(pieces: list[str]) -> list[tuple[int, int]]:
    """Piece ranges of the segments the one process makes when each parses at once."""
    groups: list[tuple[int, int]] = []
    begin = size = 0
    for index, piece in enumerate(pieces):
        size += len(piece)
        if size >= segmenting.SEGMENT_CHARS:
            groups.append((begin, index + 1))
            begin, size = index + 1, 0
    if begin < len(pieces):
        groups.append((begin, len(pieces)))
    return groups


def _planned(
    texts: list[str], planner: Planner, processes: int
) -> Generator[Segment | _Unparsed | None, None, None]:
    """For each text in order: its :class:`Segment` (its ``line`` still to set), None (the
    file must be analysed whole) or :class:`_Unparsed`; each planned in a child."""
    flags, future = planner.future_flags, planner.future

    def task(index: int) -> Task:
        def run(channel: Channel) -> None:
            channel.send(planned_segment(texts[index], flags, future, _Unparsed()))

        return run

    for index, messages in in_order(len(texts), task, processes):
        answer = messages[0] if messages is not None and len(messages) == 1 else _FAILED
        if answer is _FAILED or not isinstance(answer, Segment | _Unparsed | None):
            answer = planned_segment(texts[index], flags, future, _Unparsed())  # here, then
        yield answer


# --- analysis ------------------------------------------------------------------------------


@dataclass
class _Carried:
    """What the segments above one carry (``Context.carried`` as its analysis starts)."""

    names: dict[str, Value]


def outcomes(segments: list[Segment], job: SegmentJob, processes: int) -> Iterator[SegmentOutcome]:
    """The segments' outcomes in file order, each analysed in a child (see the module doc)."""
    context = job.context
    carried_into = dict(context.carried)

    def task(index: int) -> Task:
        return _analysis_task(segments[index], job)

    children = in_order(len(segments), task, processes, first=_Carried(carried_into))
    try:
        for index, messages in children:
            answer = _answer(messages)
            if answer is None:  # the rest is analysed here, as in one process
                children.close()
                context.carried = dict(carried_into)
                yield from outcomes_here(segments[index:], job)
                return
            carried, outcome = answer
            carried_into = carried.names
            yield outcome
    finally:
        children.close()


def _answer(messages: list[object] | None) -> tuple[_Carried, SegmentOutcome] | None:
    if messages is None or len(messages) != 2:
        return None
    carried, outcome = messages
    if not isinstance(carried, _Carried) or not isinstance(outcome, SegmentOutcome):
        return None
    return carried, outcome


class _ChannelLost(BaseException):
    """The child cannot talk to its parent: not an error of the analysis, which would be
    reported as one (it is no ``Exception``, so the analysis's guard lets it through)."""


def _analysis_task(segment: Segment, job: SegmentJob) -> Task:
    def run(channel: Channel) -> None:
        received = False

        def parsed() -> None:
            nonlocal received
            try:
                message = channel.receive()
            except Exception as error:  # not the analysis's failure: the child's
                raise _ChannelLost from error
            if not isinstance(message, _Carried):
                raise _ChannelLost
            job.context.carried = message.names
            received = True

        def analysed() -> None:
            if not received:  # it did not parse: it carries on what it was given
                parsed()
            try:
                channel.send(_Carried(job.context.carried))
            except Exception as error:
                raise _ChannelLost from error

        channel.send(lint_segment(segment, job, parsed, analysed))

    return run
