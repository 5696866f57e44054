"""Top-level statements of a segmented file that no finding can rest on are not parsed.

libcst's parse is about half of a very large file's check (the analysis of what it parsed
is the other half), and much of a large file is code that cannot take part in a finding:
helpers that never touch autograd, data and configuration code. A file without any word of
:data:`~autograd_lint.ops.AUTOGRAD_VOCABULARY` is already skipped whole; here the same test
is applied to the top-level statements of a segmented file, with what flows between them
through names added back:

- *kept* are the statements that hold a word of the vocabulary, and every ``import``;
- then (forward) every statement that mentions a name a kept statement of that first kind
  binds, and so on: a finding may sit in a statement without the vocabulary when it uses
  a value made by one with it (``w = make_leaf(); w.add_(1)``);
- then (backward) every statement that binds a name a kept statement mentions, and so on:
  the facts of a kept statement's names are those the whole file gives them.

What is left (*skipped*) mentions no name that carries autograd facts and binds no name a
kept statement reads. Its lines are replaced by empty lines (so every line and column of
the kept code stays where it was) before libcst sees the segment; CPython has parsed and
compiled the whole segment already (:func:`~autograd_lint.analysis.segments.plan`), so a
syntax error anywhere is still reported, with CPython's message.

The skipped statements still count for precision: together they form one more segment
that is never analysed. Names they bind are unknown to the others, and a module-level name
that skipped code the top level may run mentions (``CONFIG["steps"] = 4``) opens the kept
statements that mention it, as a name another segment touches does
(:meth:`~autograd_lint.analysis.segments.Context.open_lines`): a finding that could depend
on skipped code is not reported.

Names are words of the code, as in the segments module, less docstrings and comment lines
(prose there names many a module-level name): a word too many keeps a statement more, never
fewer. Measured on the generated 10 MB benchmark file, 16% of its text is skipped (the
evaluation loops); its findings are the same 922.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace

from autograd_lint.analysis.segments import Segment, _line_table, _mentions
from autograd_lint.ops import AUTOGRAD_VOCABULARY

ENABLED = True
"""Whether segmented files are pruned at all (off: every statement is parsed, as before)."""

_NOT_BREAK = re.compile(r"[^\r\n]+")


@dataclass
class _Group:
    """Top-level statements of one segment that share lines (``a = 1; b = 2``), with the
    comment and blank lines above them: kept or skipped together."""

    segment: int
    statements: range
    start: int
    """Offset in the segment's text where the group's lines begin."""
    end: int
    """Offset where they end (after the last line's break; the text's end for the last)."""
    first_line: int
    last_line: int
    """1-based segment lines of the group's text, inclusive."""
    words: frozenset[str]
    binds: frozenset[str]
    vocabulary: bool
    is_import: bool
    defines: frozenset[str] | None
    """The functions the group defines when it is only undecorated ``def`` statements (its
    code runs only when something calls them); None when the top level runs it."""


_STRING_START = re.compile(r"[ \t\f]*(?:[rRbBuUfF]{0,2})[\"']")
_COMMENT_LINE = re.compile(r"^[ \t\f]*#[^\r\n]*", re.MULTILINE)


def _code(text: str, table: list[int], first: int, last: int, prose: list[tuple[int, int]]) -> str:
    """Lines ``first``-``last`` of ``text`` without the full-line comments and the
    docstrings (:attr:`Segment.prose`, sorted): the words left are those code may read. A
    docstring whose first line does not begin with its quote is kept."""
    pieces: list[str] = []
    position = table[first - 1]
    for start, end in prose[bisect.bisect_left(prose, (first, 0)) :]:
        if start > last:
            break
        if end > last or _STRING_START.match(text, table[start - 1]) is None:
            continue
        pieces.append(text[position : table[start - 1]])
        position = table[end]
    pieces.append(text[position : table[last]])
    return _COMMENT_LINE.sub("", "".join(pieces))


def _groups(index: int, segment: Segment) -> list[_Group]:
    table = _line_table(segment.text)
    prose = sorted(segment.prose)
    last = len(table) - 1
    groups: list[_Group] = []
    begin = 0
    spans = segment.spans
    while begin < len(spans):
        stop = begin + 1
        end_line = spans[begin][1]
        while stop < len(spans) and spans[stop][0] <= end_line:
            end_line = max(end_line, spans[stop][1])
            stop += 1
        first_line = groups[-1].last_line + 1 if groups else 1
        if stop == len(spans):
            end_line = max(end_line, last)  # trailing comments go with the last group
        start, end = table[first_line - 1], table[min(end_line, last)]
        if stop == len(spans):
            end = len(segment.text)
        text = segment.text[start:end]
        if prose or "#" in text:
            text = _code(segment.text, table, first_line, min(end_line, last), prose)
        statements = range(begin, stop)
        groups.append(
            _Group(
                index,
                statements,
                start,
                end,
                first_line,
                end_line,
                _mentions(text),
                frozenset().union(*(segment.binds[i] for i in statements)),
                any(word in text for word in AUTOGRAD_VOCABULARY),
                any(segment.is_import[i] for i in statements),
                _defines(segment, statements),
            )
        )
        begin = stop
    return groups


def _defines(segment: Segment, statements: range) -> frozenset[str] | None:
    names = [segment.defines[i] for i in statements]
    return None if any(name is None for name in names) else frozenset(n for n in names if n)


def _kept(groups: list[_Group]) -> list[bool]:
    """Which groups are kept (see the module doc), over the whole file."""
    kept = [g.vocabulary or g.is_import for g in groups]
    readers: defaultdict[str, list[int]] = defaultdict(list)
    binders: defaultdict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        for word in group.words:
            readers[word].append(index)
        for name in group.binds:
            binders[name].append(index)
    reached = _reached(groups, readers)
    imported_once = {
        name
        for name, where in binders.items()
        if len(where) == 1 and groups[where[0]].is_import and len(groups[where[0]].statements) == 1
    }
    carrying = [i for i, g in enumerate(groups) if g.vocabulary]
    pending = [i for i, flag in enumerate(kept) if flag]
    tainted: set[str] = set()
    read: set[str] = set()
    touched: set[str] = set()
    while carrying or pending:
        while carrying:  # forward: statements that use what autograd code made
            for name in groups[carrying.pop()].binds - tainted:
                tainted.add(name)
                for reader in readers.get(name, ()):
                    if not kept[reader]:
                        kept[reader] = True
                        carrying.append(reader)
                        pending.append(reader)
        while pending:  # backward: what kept statements read is bound as in the file
            index = pending.pop()
            for word in groups[index].words - read:
                read.add(word)
                for binder in binders.get(word, ()):
                    if not kept[binder]:
                        kept[binder] = True
                        pending.append(binder)
            # and code the top level runs that may change what kept statements bind
            for name in groups[index].binds - touched - imported_once:
                touched.add(name)
                for reader in readers.get(name, ()):
                    if not kept[reader] and reached[reader]:
                        kept[reader] = True
                        pending.append(reader)
    return kept


def _reached(groups: list[_Group], readers: Mapping[str, list[int]]) -> list[bool]:
    """Whether the module's top level may run each group's code: all but plain ``def``
    statements, and the functions that code names (transitively)."""
    reached = [g.defines is None for g in groups]
    definers: defaultdict[str, list[int]] = defaultdict(list)
    for index, group in enumerate(groups):
        for name in group.defines or ():
            definers[name].append(index)
    pending = [i for i, flag in enumerate(reached) if flag]
    seen: set[str] = set()
    while pending:
        for word in groups[pending.pop()].words - seen:
            seen.add(word)
            for index in definers.get(word, ()):
                if not reached[index]:
                    reached[index] = True
                    pending.append(index)
    return reached


def prune(segments: list[Segment]) -> tuple[list[Segment], Segment | None]:
    """The segments with their skipped statements blanked out, and the skipped statements
    as one more segment (never analysed; None when nothing is skipped)."""
    if not ENABLED:
        return segments, None
    groups = [g for index, segment in enumerate(segments) for g in _groups(index, segment)]
    kept = _kept(groups)
    if all(kept):
        return segments, None
    by_segment: defaultdict[int, list[tuple[_Group, bool]]] = defaultdict(list)
    for group, flag in zip(groups, kept, strict=True):
        by_segment[group.segment].append((group, flag))
    pruned: list[Segment] = []
    skipped_statements: list[tuple[Segment, int]] = []
    for index, segment in enumerate(segments):
        entries = by_segment.get(index, [])
        if all(flag for _, flag in entries):
            pruned.append(segment)
            continue
        pruned.append(_blanked(segment, entries))
        skipped_statements.extend(
            (segment, i) for group, flag in entries if not flag for i in group.statements
        )
    return pruned, _skipped_segment(skipped_statements)


def _blanked(segment: Segment, entries: list[tuple[_Group, bool]]) -> Segment:
    """``segment`` with the lines of its skipped groups emptied (their line breaks kept)."""
    parts: list[str] = []
    ranges: list[tuple[int, int]] = []
    statements: list[int] = []
    for group, flag in entries:
        text = segment.text[group.start : group.end]
        if flag:
            parts.append(text)
            ranges.append((group.first_line, group.last_line))
            statements.extend(group.statements)
        else:
            parts.append(_NOT_BREAK.sub("", text))
    lines = [False] * (entries[-1][0].last_line + 2)
    for first, last in ranges:
        lines[first : last + 1] = [True] * (last + 1 - first)
    return replace(
        segment,
        text="".join(parts),
        starts=[s for s in segment.starts if s[0] < len(lines) and lines[s[0]]],
        spans=[segment.spans[i] for i in statements],
        bound=_bound_of(segment, statements),
        mentions=frozenset().union(*(segment.words[i] for i in statements)),
        words=[segment.words[i] for i in statements],
        defines=[segment.defines[i] for i in statements],
        binds=[segment.binds[i] for i in statements],
        is_import=[segment.is_import[i] for i in statements],
    )


def _bound_of(segment: Segment, statements: list[int]) -> Counter[str]:
    bound: Counter[str] = Counter()
    for i in statements:
        bound.update(segment.binds[i])
    return bound


def _skipped_segment(statements: list[tuple[Segment, int]]) -> Segment | None:
    if not statements:
        return None
    bound: Counter[str] = Counter()
    for segment, i in statements:
        bound.update(segment.binds[i])
    return Segment(
        text="",
        line=0,
        starts=[],
        spans=[],
        bound=bound,
        imports=frozenset(),
        mentions=frozenset().union(*(segment.words[i] for segment, i in statements)),
        words=[segment.words[i] for segment, i in statements],
        defines=[segment.defines[i] for segment, i in statements],
        future="",
    )
