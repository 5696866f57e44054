"""Parsing with libcst, and the cheap pre-check that lets most files skip it."""

from __future__ import annotations

import bisect
import io
import re
import sys
import threading
import tokenize
import unicodedata
from dataclasses import dataclass, field, replace

import libcst as cst

from autograd_lint.analysis.indentation import expand_mixed_indentation
from autograd_lint.diagnostics import Diagnostic, Edit, Fix, Range
from autograd_lint.ops import AUTOGRAD_VOCABULARY
from autograd_lint.quiet_parse import parse_module_quietly


@dataclass
class ParseFailure(Exception):
    """The source is not valid Python (or is too deeply nested to parse)."""

    message: str
    line: int = 1
    column: int = 0


def mentions_autograd(source: str) -> bool:
    """False when the text cannot contain a finding: no backward, ``.data``, clone, ..."""
    return any(word in source for word in AUTOGRAD_VOCABULARY)


MAX_BRACKET_DEPTH = 200
"""CPython refuses deeper bracket nesting ("too many nested parentheses"); libcst's native
parser can crash the process on it (about 2,000 levels), so such files stop here."""

_OPEN = str.maketrans({c: "(" for c in "([{"} | {c: ")" for c in ")]}"})


def bracket_depth(source: str) -> int:
    """Deepest bracket nesting, counting brackets inside strings too (an upper bound)."""
    if source.count("(") + source.count("[") + source.count("{") <= MAX_BRACKET_DEPTH:
        return 0
    depth = deepest = 0
    for char in source.translate(_OPEN):
        if char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth -= 1
    return deepest


def _too_deep(source: str) -> ParseFailure | None:
    if bracket_depth(source) <= MAX_BRACKET_DEPTH:
        return None
    try:  # brackets inside strings may have been counted: let CPython's parser decide
        parse_module_quietly(source)
    except SyntaxError as error:
        return ParseFailure(
            error.msg or "invalid syntax", error.lineno or 1, max((error.offset or 1) - 1, 0)
        )
    except (RecursionError, MemoryError, ValueError):
        return ParseFailure("too deeply nested to analyse", 1, 0)
    return None


def parse(source: str) -> cst.Module:
    """Parse, turning every libcst failure (including recursion) into :class:`ParseFailure`."""
    failure = _too_deep(source)
    if failure is not None:
        raise failure
    try:
        return _parse_module(source)
    except cst.ParserSyntaxError as error:
        message = str(error.message).strip().splitlines()[0] if error.message else "invalid syntax"
        return _raise(message, error.raw_line, error.raw_column)
    except RecursionError:
        return _raise("too deeply nested to analyse", 1, 0)
    except (ValueError, TypeError, IndexError) as error:  # libcst internal failures
        return _raise(f"cannot parse: {error}", 1, 0)


def _parse_module(source: str) -> cst.Module:
    """``libcst.parse_module``, without validating each node as the parser builds it.

    Every libcst node checks its own fields when it is made (``CSTNode._validate``): a
    tenth of the parse. The checks only ever raise, and the parser builds nodes from a text
    it accepts, so the tree is the same without them. They are left out only while no other
    thread runs: a node another thread built meanwhile (a fix, say) is checked as ever.
    """
    if threading.active_count() != 1:
        return cst.parse_module(source)
    node = cst.CSTNode
    checked = node.__dict__["__post_init__"]
    node.__post_init__ = _unchecked  # type: ignore[method-assign]
    try:
        return cst.parse_module(source)
    finally:
        node.__post_init__ = checked  # type: ignore[method-assign]


def _unchecked(self: cst.CSTNode) -> None:
    return None


_FORM_FEED_INDENT = re.compile(r"(?:\A|(?<=[\r\n]))[ \t]*\f[ \t\f]*(?=[^ \t\f\r\n])")
"""A line whose indentation holds a form feed, with something after it."""


@dataclass(frozen=True)
class Normalised:
    """Source text as libcst can parse it and the analysis should read it, and what changed.

    CPython's tokenizer resets the indentation column at a form feed: ``"  \\f    x"`` is
    indented by four. libcst keeps one indentation string per block and checks each line
    against it, so a form feed in the indentation of a line that opens a deeper block is a
    syntax error there, and on other lines it is silently dropped (the module's code is no
    longer the file). The text given to libcst therefore has, on each line that starts a
    logical line, everything up to the last form feed of its indentation removed: CPython
    reads both texts the same (same tree, same lines), and only those lines' columns move.
    Identifiers are also written in their NFKC form where that keeps their length.
    """

    text: str
    removed: dict[int, int] = field(default_factory=dict)
    """1-based line -> characters removed at its start (lines not listed are unchanged)."""
    renamed: frozenset[str] = frozenset()
    """Identifiers written in :attr:`text` as Python reads them (NFKC): a fullwidth ``w``
    (U+FF57) is ``w`` to Python, so it is ``w`` to the analysis too, and the ligature ``ﬁ``
    (U+FB01) is ``fi``."""
    shifts: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    """1-based line -> (column of :attr:`text` where a rewritten name ends, characters the
    source's spelling has beyond it), left to right: a ligature is one character where
    Python reads two, so the columns after it move."""
    retabbed: bool = False
    """Indentation that mixed tabs and spaces was rewritten in spaces
    (:mod:`autograd_lint.analysis.indentation`); ``removed`` holds each changed line's
    difference (negative where the spaces are more characters than the tabs were)."""

    def column(self, line: int, column: int) -> int:
        """A column of :attr:`text` as a column of the original source."""
        moved = sum(extra for end, extra in self.shifts.get(line, ()) if end <= column)
        return column + moved + self.removed.get(line, 0)


def normalise(source: str) -> Normalised:
    """``source`` as libcst and the analysis should read it (see :class:`Normalised`); the
    source itself when nothing needs changing, or when Python's ``tokenize`` cannot read it
    (libcst then decides, as before)."""
    feeds = "\f" in source and _FORM_FEED_INDENT.search(source) is not None
    names = not source.isascii() and not unicodedata.is_normalized("NFKC", source)
    if not feeds and not names:
        expanded = expand_mixed_indentation(source)
        if expanded is not None:
            return Normalised(expanded[0], expanded[1], retabbed=True)
        return Normalised(source)
    removed: dict[int, int] = {}
    renames: list[tuple[int, int, str, str]] = []
    try:
        at_start = True
        for token in tokenize.generate_tokens(io.StringIO(source, newline=None).readline):
            kind = token.type
            if kind == tokenize.NAME and names and not token.string.isascii():
                python_name = unicodedata.normalize("NFKC", token.string)
                if python_name != token.string and python_name.isidentifier():
                    renames.append((*token.start, token.string, python_name))
            if kind in (tokenize.NEWLINE, tokenize.ENDMARKER):
                at_start = True
            elif kind in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT):
                continue
            elif at_start:
                at_start = False
                line, column = token.start
                cut = token.line.rfind("\f", 0, column) + 1 if feeds else 0
                if cut:
                    removed[line] = cut
    except (tokenize.TokenError, SyntaxError, ValueError):
        return Normalised(source)
    if not removed and not renames:
        return Normalised(source)
    lines = _LINE_BREAK.split(source)
    for line, column, written, python_name in reversed(renames):
        text = lines[2 * (line - 1)]
        lines[2 * (line - 1)] = text[:column] + python_name + text[column + len(written) :]
    for line, count in removed.items():
        lines[2 * (line - 1)] = lines[2 * (line - 1)][count:]
    shifts: dict[int, list[tuple[int, int]]] = {}
    for line, column, written, python_name in renames:  # in text order
        if len(written) == len(python_name):
            continue
        before = shifts.setdefault(line, [])
        moved = sum(extra for _, extra in before) + removed.get(line, 0)
        before.append((column - moved + len(python_name), len(written) - len(python_name)))
    return Normalised(
        "".join(lines),
        removed,
        frozenset(name for *_, name in renames),
        {line: tuple(items) for line, items in shifts.items()},
    )


_LINE_BREAK = re.compile(r"(\r\n|\r|\n)")


def restore(diagnostic: Diagnostic, normalised: Normalised) -> Diagnostic:
    """``diagnostic``, found in :attr:`Normalised.text`, placed in the original source.

    A fix with an edit that spans the start of a changed line is dropped: its new text was
    generated from the normalised lines and would write them back without their form feeds;
    so is one whose new text holds a renamed identifier (it would write it renamed).
    """
    if not normalised.removed and not normalised.renamed:
        return diagnostic

    def place(span: Range) -> Range:
        return Range(
            span.start_line,
            normalised.column(span.start_line, span.start_col),
            span.end_line,
            normalised.column(span.end_line, span.end_col),
        )

    changed = sorted(normalised.removed)

    def spans_changed_line(fix: Fix) -> bool:
        for edit in fix.edits:  # a changed line in (start_line, end_line]?
            if any(name in edit.new_text for name in normalised.renamed):
                return True  # it may write a name as the analysis read it
            if normalised.retabbed:  # its new text is indented with spaces: on no changed line
                after = bisect.bisect_left(changed, edit.range.start_line)
            else:
                after = bisect.bisect_right(changed, edit.range.start_line)
            if after < len(changed) and changed[after] <= edit.range.end_line:
                return True
        return False

    def move(edit: Edit) -> Edit:
        moved = place(edit.range)
        text = edit.new_text
        shift = moved.start_col - edit.range.start_col
        if shift and ("\n" in text or "\r" in text):
            # Lines of the new text indented to the edit's column: to the moved column (the
            # fixer then gives them that line's real indentation, form feed included).
            pad, lines = " " * edit.range.start_col, _LINE_BREAK.split(text)
            for index in range(2, len(lines), 2):
                if lines[index].startswith(pad):
                    lines[index] = " " * moved.start_col + lines[index][len(pad) :]
            text = "".join(lines)
        return Edit(moved, text)

    fixes = [
        replace(fix, edits=tuple(move(edit) for edit in fix.edits))
        for fix in diagnostic.fixes
        if not spans_changed_line(fix)
    ]
    return diagnostic.with_(
        range=place(diagnostic.range),
        related=tuple(
            r if r.path is not None else replace(r, range=place(r.range))  # another file's
            for r in diagnostic.related
        ),
        fix=fixes[0] if fixes else None,
        extra_fixes=tuple(fixes[1:]),
    )


def _raise(message: str, line: int, column: int) -> cst.Module:
    raise ParseFailure(message, max(line, 1), max(column, 0))


sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
