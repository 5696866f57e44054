"""Text edits on Python source, positioned as Python's tokenizer counts lines.

Lines end at ``\\n``, ``\\r\\n`` or ``\\r`` only; ``str.splitlines`` also breaks at form feeds,
vertical tabs and U+2028, which would shift every position after them. Shared by the fixer
(``--fix``, ``--diff``) and by the check that decides whether a fix is offered as fixable: a
fix counts only if applying it alone leaves a file that CPython compiles.

Rules write their replacement text with ``\\n`` line breaks and space indentation. The edit
is adapted to the file it lands in: line breaks become the file's own (a CRLF file stays
CRLF, no mixed endings), and continuation lines indented to the edit's column get that
line's real indentation (tabs stay tabs), so a tab-indented file is fixed, not refused.
"""

from __future__ import annotations

import ast
import bisect
import itertools
import re
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Protocol

from autograd_lint.diagnostics import Diagnostic, Edit, Fix, Range
from autograd_lint.quiet_parse import compile_quietly, parse_module_quietly

_NEWLINE = re.compile(r"\r\n|\r|\n")


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


def newline_of(source: str, line_start: int) -> str:
    """The line break of the line starting at ``line_start``, else the file's first, else LF."""
    found = _NEWLINE.search(source, line_start) or _NEWLINE.search(source)
    return found.group() if found else "\n"


def adapt(source: str, line_start: int, begin: int, new_text: str) -> str:
    """``new_text`` with the file's line breaks and its line's indentation (see the module)."""
    if "\n" not in new_text and "\r" not in new_text:
        return new_text
    lines = _NEWLINE.split(new_text)
    prefix = source[line_start:begin]
    spaces = " " * len(prefix)
    if prefix and not prefix.strip() and prefix != spaces:
        lines = [lines[0]] + [
            prefix + line[len(spaces) :] if line.startswith(spaces) else line for line in lines[1:]
        ]
    return newline_of(source, line_start).join(lines)


def apply_edits(source: str, edits: Iterable[Edit]) -> str:
    """Apply non-overlapping edits (raises :class:`FixError` if two overlap)."""
    starts = line_starts(source)
    spans = sorted(
        (
            (
                *range_offsets(source, edit.range, starts),
                adapt(
                    source,
                    starts[edit.range.start_line - 1],
                    to_offset(starts, source, edit.range.start_line, edit.range.start_col),
                    edit.new_text,
                ),
            )
            for edit in edits
        ),
        key=lambda item: (item[0], item[1]),
    )
    for (_, previous_end, _), (begin, _, _) in itertools.pairwise(spans):
        if begin < previous_end:
            raise FixError("overlapping edits")
    text = source
    for begin, end, new_text in reversed(spans):
        text = text[:begin] + new_text + text[end:]
    return text


COMPILED_CHARS = 2_000_000
"""Characters of compiled texts whose outcome is remembered (least recently used dropped
first); a text longer than a tenth of that is compiled every time."""

_compiled: OrderedDict[str, bool] = OrderedDict()
_compiled_size = 0


def compiles(source: str, path: str = "<fix>") -> bool:
    """Whether CPython compiles ``source`` (syntax and the compiler's own checks, such as
    ``'return' outside function``), without running it.

    The outcome depends on the text alone (``path`` only names it in CPython's message), and
    an editor's next lint checks the same fixes on the same statements again: the outcomes
    are remembered, up to :data:`COMPILED_CHARS`. One that may not be the text's own (the
    compiler ran out of stack or memory) is not.
    """
    global _compiled_size
    known = _compiled.get(source)
    if known is not None:
        _compiled.move_to_end(source)
        return known
    try:
        compile_quietly(source, path, dont_inherit=True)
        outcome = True
    except (SyntaxError, ValueError, OverflowError):
        outcome = False
    except (RecursionError, MemoryError):
        return False
    if len(source) <= COMPILED_CHARS // 10:
        _compiled[source] = outcome
        _compiled_size += len(source)
        while _compiled_size > COMPILED_CHARS:
            dropped, _ = _compiled.popitem(last=False)
            _compiled_size -= len(dropped)
    return outcome


def fix_applies(source: str, fix: Fix, path: str = "<fix>") -> bool:
    """Applied alone to ``source``, the fix gives a file that compiles."""
    try:
        return compiles(apply_edits(source, fix.edits), path)
    except FixError:
        return False


class FixCheck(Protocol):
    """Decides whether one fix applies to the file it was made for."""

    def fix_applies(self, fix: Fix, path: str = "<fix>") -> bool: ...


class TopLevel:
    """The top-level statements of a file, to check a fix by compiling only the statements
    it touches (and one on each side) rather than the whole file once per fix.

    What CPython's compiler refuses (``return`` outside a function, ``break`` outside a loop,
    a misplaced ``nonlocal``) is decided inside the top-level statement that holds it, so
    the statements around an edit compile alone exactly when they compile in the file; the
    file's ``__future__`` imports, which change how the rest compiles, are kept in front.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.starts = line_starts(source)
        tree = parse_module_quietly(source)
        self.spans: list[tuple[int, int | None]] = [
            (min([s.lineno] + [d.lineno for d in getattr(s, "decorator_list", ())]), s.end_lineno)
            for s in tree.body
        ]
        self._firsts = [first for first, _ in self.spans]
        self._lasts = [last or first for first, last in self.spans]
        self.future = "".join(
            self._segment(s) + "\n"
            for s in tree.body
            if isinstance(s, ast.ImportFrom) and s.module == "__future__"
        )
        self.future_outside = False
        """Set when :attr:`future` was taken from elsewhere (the start of a larger file)."""

    @classmethod
    def known(
        cls, source: str, spans: list[tuple[int, int]], future: str, outside: bool
    ) -> TopLevel:
        """The statements of ``source`` already known: ``spans`` as :attr:`spans` gives them
        (first line, decorators included, and last line of each), ``future`` its
        ``__future__`` imports (``outside``: taken from the start of a larger file). A
        segment of a large file knows them from its plan; no parse is needed."""
        statements = cls.__new__(cls)
        statements.source = source
        statements.starts = line_starts(source)
        statements.spans = list(spans)
        statements._firsts = [first for first, _ in spans]
        statements._lasts = [last for _, last in spans]
        statements.future, statements.future_outside = future, outside
        return statements

    def _segment(self, node: ast.stmt) -> str:
        """The text of a statement, as ``ast.get_source_segment`` gives it, found through the
        line starts already known (that function splits the whole file again per call)."""
        if node.end_lineno is None or node.end_col_offset is None:
            return ""
        begin = self._offset(node.lineno, node.col_offset)
        return self.source[begin : self._offset(node.end_lineno, node.end_col_offset)]

    def _offset(self, line: int, utf8_column: int) -> int:
        """String offset of a 1-based line and a column counted, as ``ast`` counts, in bytes
        of UTF-8."""
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.source)
        head = self.source[start:end].encode("utf-8")[:utf8_column]
        return start + len(head.decode("utf-8", "replace"))

    def fix_applies(self, fix: Fix, path: str = "<fix>") -> bool:
        if not fix.edits or not self.spans:
            return fix_applies(self.source, fix, path)
        first = min(edit.range.start_line for edit in fix.edits)
        last = max(edit.range.end_line for edit in fix.edits)
        begin = max(bisect.bisect_right(self._firsts, first) - 2, 0)
        end = min(bisect.bisect_left(self._lasts, last) + 1, len(self.spans) - 1)
        top, bottom = self._firsts[begin], self._lasts[end]
        if top > first or bottom < last:
            return fix_applies(self.source, fix, path)
        low = self.starts[top - 1]
        high = self.starts[bottom] if bottom < len(self.starts) else len(self.source)
        piece = self.source[low:high]
        moved = [
            Edit(
                Range(
                    e.range.start_line - top + 1,
                    e.range.start_col,
                    e.range.end_line - top + 1,
                    e.range.end_col,
                ),
                e.new_text,
            )
            for e in fix.edits
        ]
        try:
            fixed = apply_edits(piece, moved)
        except FixError:
            return False
        outside = self.future_outside or top > 1  # the piece does not hold the imports
        prefix = self.future + "\n" if self.future and outside else ""
        return compiles(prefix + fixed, path)


def keep_applicable_fixes(
    source: str,
    diagnostics: Sequence[Diagnostic],
    path: str = "<fix>",
    future: str | None = None,
    statements: FixCheck | None = None,
) -> list[Diagnostic]:
    """The diagnostics with only the fixes that would apply: a fix that cannot (a one-line
    ``if x: ...`` that would need a block, a result that does not compile) is dropped here, so
    it is neither counted as fixable nor offered by the editor.

    ``future``: the ``__future__`` imports of the file ``source`` is a part of (a segment of
    a large file), when they are not in ``source`` itself. ``statements``: a check that
    already knows the file's top-level statements (a text put together from parsed chunks),
    used instead of parsing the file for them."""
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        fixes = diagnostic.fixes
        if not fixes:
            kept.append(diagnostic)
            continue
        if statements is None:
            try:
                statements = TopLevel(source)
                if future is not None:
                    statements.future, statements.future_outside = future, True
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                return [d.with_(fix=None, extra_fixes=()) for d in diagnostics]
        good = [fix for fix in fixes if statements.fix_applies(fix, path)]
        if len(good) == len(fixes):
            kept.append(diagnostic)
        else:
            kept.append(
                diagnostic.with_(fix=good[0] if good else None, extra_fixes=tuple(good[1:]))
            )
    return kept
