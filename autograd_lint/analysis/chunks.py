"""Parse a module as its top-level statements, each parsed once and cached by its text.

An editor sends the whole text after every keystroke, but a keystroke changes one top-level
statement (a function, a class, a block). libcst's parse of the whole file is most of a
lint's time, so the text is cut into top-level *chunks* by a cheap line scan, each chunk is
checked by CPython and parsed by libcst alone (or found in the cache under its exact text),
and the chunks' statements are put together into one ``cst.Module``. The module built that
way is equal, node for node, to libcst's parse of the whole text; when that cannot be
vouched for (mixed indentation or newlines, a syntax error, a grammar only one of the two
parsers knows) the caller is told to parse the whole text instead.

Why a cut is safe: a chunk starts at a line that begins, in column 0, with a name, a keyword
or a decorator (``else``/``elif``/``except``/``finally`` continue a statement and never start
one). A cut that falls inside a string, a bracket or after a backslash leaves the chunk before
it unfinished, and an unfinished chunk does not parse: it is joined with the next one and
tried again. So every chunk that parses ends where a top-level statement ends.

Cached nodes are shared between lints of successive texts. libcst nodes are immutable, and a
chunk whose text occurs twice in one file gets a second, separately parsed copy, so no node
appears twice in one module (the analysis keys its tables by node).
"""

from __future__ import annotations
import __future__

import ast
import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst

from autograd_lint.analysis.parse import ParseFailure, parse
from autograd_lint.analysis.positions import ast_statement_starts, cst_statements
from autograd_lint.analysis.scope_cache import ScopeCache
from autograd_lint.analysis.syntax import check_syntax
from autograd_lint.quiet_parse import compile_quietly

_START = re.compile(r"^(?!(?:else|elif|except|finally)\b)[A-Za-z_@]", re.MULTILINE)
"""A line that may begin a top-level statement."""

MAX_JOINS = 24
"""Unfinished chunks joined in a row before giving up on cutting this text (a real syntax
error, or a long string whose lines start in column 0)."""

RETIRED_CHARS = 200_000
"""Characters of chunks no open text uses that are kept anyway (older versions of edited
statements, for undo): a bounded margin over the open documents' own parses."""

MAX_OWNERS = 32
"""Documents whose latest text keeps its chunks (the least recently linted beyond that
release theirs)."""

MAX_FAILED = 512
"""Texts known not to parse alone, remembered so they are not tried again."""

_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag

_TRIPLE = re.compile(r'"""|\'\'\'')

_GRAMMAR_SWITCH = "barry_as_FLUFL"
"""The one ``__future__`` import that changes how the rest of a file parses."""


@dataclass(eq=False)
class Chunk:
    """One top-level chunk, parsed alone."""

    text: str
    module: cst.Module
    starts: tuple[tuple[int, int], ...]
    """Statement starts as CPython's ``ast`` gives them, chunk-relative (see positions)."""
    lines: int
    """Line breaks in ``text``: the next chunk starts that many lines further down."""
    has_block: bool
    """Has an indented block, so its parse depended on the indentation it detected."""
    derived: dict[str, object] = field(default_factory=dict)
    """What callers computed from this chunk's text alone (its suppression comments)."""


@dataclass(frozen=True)
class Chunked:
    """A module put together from chunks, and the facts that came with them."""

    module: cst.Module
    chunks: tuple[Chunk, ...]
    offsets: tuple[int, ...]
    """0-based line of each chunk's first line."""
    heads: tuple[cst.CSTNode, ...] = ()
    """Each chunk's first statement as the module holds it (after the first chunk, it
    carries the lines that ended the chunk before it, so it is not the chunk's own node)."""

    def statement_table(self) -> Mapping[cst.CSTNode, tuple[int, int]]:
        """Each statement's start by its node, as :meth:`statement_starts` matched to the
        module's statements gives them, found chunk by chunk (see :class:`ChunkStarts`)."""
        return ChunkStarts(self)

    def statement_starts(self) -> list[tuple[int, int]]:
        """Every statement's start, in file order, as the whole file's ``ast`` gives them."""
        starts: list[tuple[int, int]] = []
        for chunk, offset in zip(self.chunks, self.offsets, strict=True):
            starts.extend((line + offset, column) for line, column in chunk.starts)
        return starts


class ChunkStarts(Mapping[cst.CSTNode, tuple[int, int]]):
    """Statement starts of a module put together from chunks, by node.

    Each chunk matches its own statements to its own starts once (kept with the chunk, so
    an edit matches the chunk it changed); a lookup finds the chunk that holds the node and
    adds the chunk's line offset. A chunk whose two parsers disagree on how many statements
    it has places none of its nodes (the caller then generates positions for the module).
    """

    def __init__(self, chunked: Chunked) -> None:
        self._chunked = chunked
        self._holder: dict[cst.CSTNode, int] | None = None

    def _chunk_of(self) -> dict[cst.CSTNode, int]:
        """Which chunk holds each statement (built on the first lookup, from the chunks'
        own tables: a dictionary update per chunk)."""
        if self._holder is None:
            holder: dict[cst.CSTNode, int] = {}
            heads = self._chunked.heads
            for index, chunk in enumerate(self._chunked.chunks):
                own = _own_starts(chunk)
                if own is None:
                    continue
                holder.update(dict.fromkeys(own, index))
                if index < len(heads):
                    holder[heads[index]] = index
            self._holder = holder
        return self._holder

    def _locate(self, node: cst.CSTNode) -> tuple[int, int] | None:
        index = self._chunk_of().get(node)
        if index is None:
            return None
        chunked = self._chunked
        chunk = chunked.chunks[index]
        if index < len(chunked.heads) and node is chunked.heads[index]:
            relative: tuple[int, int] | None = chunk.starts[0]
        else:
            own = _own_starts(chunk)
            relative = own.get(node) if own is not None else None
        if relative is None:
            return None
        return relative[0] + chunked.offsets[index], relative[1]

    def __getitem__(self, node: cst.CSTNode) -> tuple[int, int]:
        found = self._locate(node)
        if found is None:
            raise KeyError(node)
        return found

    def __contains__(self, node: object) -> bool:
        return isinstance(node, cst.CSTNode) and self._locate(node) is not None

    def __iter__(self) -> Iterator[cst.CSTNode]:
        for index, chunk in enumerate(self._chunked.chunks):
            own = _own_starts(chunk)
            for node in own or ():
                if index > 0 and node is chunk.module.body[0]:
                    node = self._chunked.heads[index]
                if node in self:
                    yield node

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _own_starts(chunk: Chunk) -> dict[cst.CSTNode, tuple[int, int]] | None:
    """The chunk's statements matched to its starts (chunk-relative), or None when the two
    parsers disagree on how many there are."""
    key = "statement starts"
    if key not in chunk.derived:
        statements = list(cst_statements(chunk.module.body))
        own: dict[cst.CSTNode, tuple[int, int]] | None = None
        if len(statements) == len(chunk.starts):
            own = {}
            for node, start in zip(statements, chunk.starts, strict=True):
                own.setdefault(node, start)
        chunk.derived[key] = own
    known = chunk.derived[key]
    assert known is None or isinstance(known, dict)
    return known


def _long_strings(source: str) -> list[tuple[int, int]]:
    """Spans between paired triple quotes, roughly: a quote in a comment or another string
    pairs wrongly, which only costs cuts (a longer chunk), never a wrong one."""
    spans: list[tuple[int, int]] = []
    opened: tuple[str, int] | None = None
    for match in _TRIPLE.finditer(source):
        quote = match.group()
        if opened is None:
            opened = (quote, match.start())
        elif quote == opened[0]:
            spans.append((opened[1], match.end()))
            opened = None
    if opened is not None:
        spans.append((opened[1], len(source)))
    return spans


def cut(source: str) -> list[str]:
    """The text cut at every line that may start a top-level statement (see the module doc).

    The first candidate is not a cut: whatever precedes it (comments, a docstring) stays with
    the first statement, as libcst's module header. A line after a decorator is not a cut,
    nor is one inside a triple-quoted string (prose in a docstring often starts in column 0:
    every such cut would cost a failed parse and a join).
    """
    cuts: list[int] = []
    after_decorator = False
    first = True
    spans = _long_strings(source) if ('"""' in source or "'''" in source) else []
    span = 0
    for match in _START.finditer(source):
        start = match.start()
        while span < len(spans) and spans[span][1] <= start:
            span += 1
        if span < len(spans) and spans[span][0] < start:
            continue  # inside a long string
        decorator = source.startswith("@", start)
        if first or after_decorator:
            first = False
        else:
            cuts.append(start)
        after_decorator = decorator
    pieces: list[str] = []
    begin = 0
    for position in cuts:
        pieces.append(source[begin:position])
        begin = position
    pieces.append(source[begin:])
    return pieces


class ChunkCache:
    """Parsed chunks by text.

    What the latest text of each document (``owner``) is made of stays; chunks no text uses
    any more are *retired* and kept, least recently used dropped first, up to
    ``retired_chars`` characters (undo and re-typing find them). So the memory held is that
    of the open documents' parses plus a bounded margin, however many edits are made.
    """

    def __init__(self, retired_chars: int = RETIRED_CHARS, owners: int = MAX_OWNERS) -> None:
        self.retired_chars = retired_chars
        self.owners = owners
        self._parsed: dict[str, list[Chunk]] = {}
        self._live: OrderedDict[str, frozenset[str]] = OrderedDict()
        self._refs: dict[str, int] = {}
        self._retired: OrderedDict[str, None] = OrderedDict()
        self._retired_size = 0
        self._failed: OrderedDict[str, None] = OrderedDict()
        self.hits = 0
        self.misses = 0
        self.scopes = ScopeCache(owners)
        """The analyses of the functions of the same documents (they hold chunks' nodes)."""

    def __len__(self) -> int:
        return len(self._parsed)

    def clear(self) -> None:
        self._parsed.clear()
        self._live.clear()
        self._refs.clear()
        self._retired.clear()
        self._retired_size = 0
        self._failed.clear()
        self.scopes.clear()

    def get(self, text: str, copy: int) -> Chunk | None:
        """The ``copy``-th parse of ``text`` (parsed now if missing); None if it does not parse."""
        if text in self._failed:
            self._failed.move_to_end(text)
            return None
        copies = self._parsed.get(text)
        if copies is not None and copy < len(copies):
            self.hits += 1
            return copies[copy]
        self.misses += 1
        chunk = _parse_chunk(text)
        if chunk is None:
            self._failed[text] = None
            while len(self._failed) > MAX_FAILED:
                self._failed.popitem(last=False)
            return None
        if copies is None:
            copies = self._parsed[text] = []
            self._retire(text)  # until an assembly takes it up
        copies.append(chunk)
        return chunk

    def assemble(self, source: str, owner: str = "") -> Chunked | None:
        """The module of ``source`` put together from cached chunks, or None when the whole
        text must be checked and parsed as one (the caller then reports its errors).

        ``source`` becomes ``owner``'s latest text: its chunks are kept while it is.
        """
        if _GRAMMAR_SWITCH in source:
            return None
        pieces = cut(source)
        chunks: list[Chunk] = []
        uses: dict[str, int] = {}
        pending = ""
        joins = 0
        found: Chunked | None = None
        for piece in pieces:
            pending += piece
            copy = uses.get(pending, 0)
            chunk = self.get(pending, copy)
            if chunk is None:
                joins += 1
                if joins > MAX_JOINS:
                    break
                continue
            uses[pending] = copy + 1
            chunks.append(chunk)
            pending, joins = "", 0
        else:
            if not pending:
                found = _combine(chunks)
        self._hold(owner, frozenset(uses) if found is not None else frozenset())
        return found

    def _hold(self, owner: str, texts: frozenset[str]) -> None:
        """Make ``texts`` what ``owner`` holds; what nobody holds any more is retired."""
        before = self._live.pop(owner, frozenset())
        self._live[owner] = texts
        released = [before]
        while len(self._live) > self.owners:
            released.append(self._live.popitem(last=False)[1])
        for text in texts - before:
            self._refs[text] = self._refs.get(text, 0) + 1
            if text in self._retired:
                del self._retired[text]
                self._retired_size -= len(text)
        for gone in released:
            for text in gone - texts if gone is before else gone:
                left = self._refs.get(text, 0) - 1
                if left > 0:
                    self._refs[text] = left
                    continue
                self._refs.pop(text, None)
                self._retire(text)
        self._trim()

    def _retire(self, text: str) -> None:
        if text in self._parsed and text not in self._retired and text not in self._refs:
            self._retired[text] = None
            self._retired_size += len(text)

    def _trim(self) -> None:
        while self._retired_size > self.retired_chars and self._retired:
            text, _ = self._retired.popitem(last=False)
            self._retired_size -= len(text)
            self._parsed.pop(text, None)


def _parse_chunk(text: str) -> Chunk | None:
    try:
        tree = check_syntax(text)
        module = parse(text)
    except ParseFailure:
        return None
    if module.code != text:  # libcst does not give this text back (odd continuation lines):
        return None  # the whole file is parsed instead, faults and all
    return Chunk(
        text,
        module,
        tuple(ast_statement_starts(tree)),
        _line_breaks(text),
        any(isinstance(statement, cst.BaseCompoundStatement) for statement in module.body),
    )


def _line_breaks(text: str) -> int:
    """Line breaks as Python counts them (``\\r\\n``, ``\\n`` and a lone ``\\r``)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _combine(chunks: list[Chunk]) -> Chunked | None:
    if not chunks:
        return None
    first, last = chunks[0], chunks[-1]
    newline = first.module.default_newline
    indent = next((c.module.default_indent for c in chunks if c.has_block), None)
    for chunk in chunks:
        if chunk.module.default_newline != newline and _line_breaks(chunk.text) > 0:
            return None
        if chunk.has_block and chunk.module.default_indent != indent:
            return None
    offsets: list[int] = []
    line = 0
    for chunk in chunks:
        offsets.append(line)
        line += chunk.lines
    if len(chunks) == 1:
        return Chunked(first.module, (first,), (0,), tuple(first.module.body[:1]))
    body: list[cst.SimpleStatementLine | cst.BaseCompoundStatement] = list(first.module.body)
    heads: list[cst.CSTNode] = list(first.module.body[:1])
    footer = first.module.footer
    for chunk in chunks[1:]:
        if chunk.module.header or not chunk.module.body:
            return None  # a chunk starts at a statement: anything else was not cut by us
        head, *rest = chunk.module.body
        if footer:
            head = _with_footer(chunk, head, footer)
        heads.append(head)
        body.append(head)
        body.extend(rest)
        footer = chunk.module.footer
    module = cst.Module(
        body=body,
        header=first.module.header,
        footer=last.module.footer,
        encoding=first.module.encoding,
        default_indent=indent if indent is not None else first.module.default_indent,
        default_newline=newline,
        has_trailing_newline=last.module.has_trailing_newline,
    )
    return Chunked(module, tuple(chunks), tuple(offsets), tuple(heads))


Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def _with_footer(chunk: Chunk, head: Statement, footer: Sequence[cst.EmptyLine]) -> Statement:
    """The chunk's first statement with the lines that ended the chunk before it in front,
    as the whole file's parse has them; the same node as last time when those lines are the
    same (the analysis of an unchanged function is then found again by its node)."""
    kept = chunk.derived.get("head")
    if isinstance(kept, tuple):
        lines, made = kept
        if len(lines) == len(footer) and all(
            a.deep_equals(b) for a, b in zip(lines, footer, strict=True)
        ):
            return made
    made = head.with_changes(leading_lines=(*footer, *head.leading_lines))
    chunk.derived["head"] = (tuple(footer), made)
    return made


def compiles_alone(chunked: Chunked) -> bool:
    """Whether every chunk compiles alone, as the text's own: then the whole text compiles.

    What CPython's compiler refuses after a parse (``return`` outside a function, ``break``
    outside a loop, a misplaced ``nonlocal``) is decided inside the top-level statement that
    holds it; the ``__future__`` imports of the first chunk, which change how the rest
    compiles, are passed on to the others as flags, and one in a later chunk (misplaced in the
    file, not in the chunk) is left to the whole text's compile. Each chunk's outcome is kept
    with it, so an edit compiles the chunk it changed. False means "compile the whole text"
    (which then says what is wrong, and where).
    """
    first, *rest = chunked.chunks
    if any("__future__" in chunk.text for chunk in rest):
        return False
    features = _compiled(first, 0)
    return features is not None and all(_compiled(c, features) is not None for c in rest)


def future_flags(chunked: Chunked) -> int | None:
    """The compiler flags of the ``__future__`` imports the first chunk holds (0 for none);
    None if that chunk does not compile alone."""
    return _compiled(chunked.chunks[0], 0)


def _compiled(chunk: Chunk, features: int) -> int | None:
    """The ``__future__`` flags of ``chunk`` compiled under ``features``; None if it does not
    compile (an outcome that may not be the text's own, out of stack or memory, is not kept)."""
    key = f"compiled under {features}"
    if key in chunk.derived:
        known = chunk.derived[key]
        assert known is None or isinstance(known, int)
        return known
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT | features
    try:
        code = compile_quietly(chunk.text, "<chunk>", flags=flags, dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError):
        outcome = None
    except (RecursionError, MemoryError):
        return None
    else:
        outcome = code.co_flags & _FUTURE_FLAGS
    chunk.derived[key] = outcome
    return outcome
