"""A very large module cut into segments that are parsed and analysed one at a time.

libcst's tree of a file is about five hundred times the file's size in memory, and the
analysis's tables are keyed by its nodes: a 10 MB module parsed whole needs some 5 GB. A
file over :data:`SEGMENT_THRESHOLD` characters is therefore cut, at top-level statements,
into *segments* of about :data:`SEGMENT_CHARS` characters; each is parsed and analysed as a
module of its own, and its tree is dropped before the next is parsed.

What a segment cannot see is what the rest of the file binds at module level. Precision
comes first, so only what is safe crosses a boundary:

- a name the file binds exactly once, by a plain ``import`` of a module that is not the
  project's, is known (as that module) in the segments after the import;
- every other name the rest of the file binds is ``Unknown`` in a segment, for its top
  level and for its functions (it shadows builtins and star imports as it would in the
  file);
- a finding is kept only if no top-level statement it rests on (its place and its related
  places) is *open*. A statement is open when it mentions a name that another segment
  binds, or a name its own segment binds that another segment's top level may touch (in
  its module-level code, or in a function named there); and, within the segment, when it
  mentions a module-level name that an open statement mentions (facts flow between
  statements only through names). A finding that would need a fact from another segment
  is not reported.

Names are read as words of the text (comments and strings too): a word too many only opens
a statement more, never fewer. On generated training code of 2 MB cut into five segments,
the findings are those of the whole-file analysis, places, messages and fixes included.

Why a cut is safe: segments start where :func:`~autograd_lint.analysis.chunks.cut` may
start a top-level statement and each must pass CPython's parser alone; a cut inside a
string, a bracket or a continuation leaves the text before it unfinished, which does not
parse, so the segment is extended until it does. Files this cannot vouch for (a syntax
error, a star import, ``global`` at module level, the grammar-changing future import) are
analysed whole, as before.

Before libcst sees a segment, its statements that no finding can rest on are blanked out
(:mod:`autograd_lint.analysis.pruning`); what they bind and touch still counts, as one
more segment that is never analysed.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

import libcst as cst

from autograd_lint.analysis.chunks import cut
from autograd_lint.analysis.interpreter import Interpreter, _absolute
from autograd_lint.analysis.parse import ParseFailure
from autograd_lint.analysis.positions import Positions, ast_statement_starts
from autograd_lint.analysis.project import Project
from autograd_lint.analysis.syntax import check_syntax
from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import ModuleRef, Unknown, Value

SEGMENT_THRESHOLD = 1_000_000
"""Files with more characters than this are analysed in segments."""

SEGMENT_CHARS = 400_000
"""About how many characters a segment holds (it ends at the first top-level statement
boundary past this)."""

_IDENTIFIER = re.compile(r"[^\W\d]\w*")
_GLOBAL = re.compile(r"\bglobal\b")
T = TypeVar("T")


@dataclass
class Segment:
    """One segment: its text, where it is in the file, and what it binds and mentions."""

    text: str
    line: int
    """0-based line of the file where the segment starts."""
    starts: list[tuple[int, int]]
    """:func:`ast_statement_starts` of the segment, segment-relative."""
    spans: list[tuple[int, int]]
    """(first, last) 1-based segment line of each top-level statement, decorators included."""
    bound: Counter[str]
    """Module-level bindings of each name (``global`` in a function counts as one)."""
    imports: frozenset[str]
    """Names bound by a plain top-level ``import`` / ``from ... import`` (no star)."""
    mentions: frozenset[str]
    """Every identifier-like word of the text (strings and comments included)."""
    words: list[frozenset[str]]
    """The words of each top-level statement."""
    defines: list[str | None]
    """The function each top-level statement defines, if it is an undecorated ``def``
    (its body runs only when something calls it)."""
    future: str
    """The file's ``__future__`` imports as written (they are in the first segment)."""
    binds: list[Counter[str]] = field(default_factory=list)
    """The module-level names each top-level statement binds (see :attr:`bound`)."""
    is_import: list[bool] = field(default_factory=list)
    """Whether each top-level statement is an ``import`` or ``from ... import``."""
    prose: list[tuple[int, int]] = field(default_factory=list)
    """(first, last) segment line of each docstring-like string statement alone on its
    lines (a module's, a class's or a function's): text no code reads."""
    reached: frozenset[str] = frozenset()
    """The words of the statements the file's top level may run (set by :class:`Context`)."""


def plan(source: str) -> list[Segment] | None:
    """The segments of ``source``, or None when it must be analysed whole (see the module).
    One segment (a file under :data:`SEGMENT_CHARS`) is still worth pruning."""
    if not worth_planning(source):
        return None
    planner = Planner()
    return planner.finish(planner.texts(cut(source), 0))


def worth_planning(source: str) -> bool:
    """Whether ``source`` is large enough to segment and has no grammar-changing import."""
    return len(source) > SEGMENT_THRESHOLD and "barry_as_FLUFL" not in source


class Planner:
    """The segments planned so far, in file order, and what the next one is planned with.

    :func:`plan` feeds it every text of :meth:`texts`; a plan made in several processes
    (:mod:`autograd_lint.segment_processes`) plans the first here, others elsewhere with
    :func:`planned_segment`, and gives them to :meth:`append`: the same segments either way.
    """

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.future_flags = 0
        self.future = ""
        self.line = 0
        self.next_piece = 0
        """The piece (of :meth:`texts`'s) after the last text it yielded."""
        self.failed = False
        """Some text showed that the file must be analysed whole."""

    def texts(
        self, pieces: list[str], begin: int, stop_after: int | None = None
    ) -> Iterator[tuple[str, ast.Module] | None]:
        """Texts of about :data:`SEGMENT_CHARS` made of ``pieces`` from ``begin`` on, that
        each parse alone, with CPython's tree of each; None if the rest never does (then
        nothing more). At most ``stop_after`` texts.

        After a failed try the segment grows by half before the next, so a real syntax
        error costs a few parses of the rest of the file, never one per line.
        """
        pending = ""
        goal = SEGMENT_CHARS
        made = 0
        for index in range(begin, len(pieces)):
            if stop_after is not None and made >= stop_after:
                return
            pending += pieces[index]
            if len(pending) < goal:
                continue
            tree = _tree(pending)
            if tree is not None:
                self.next_piece = index + 1
                made += 1
                yield pending, tree
                pending, goal = "", SEGMENT_CHARS
            else:
                goal = len(pending) * 3 // 2
        if pending:
            tree = _tree(pending)
            self.next_piece = len(pieces)
            yield (pending, tree) if tree is not None else None

    def add(self, text: str, tree: ast.Module) -> bool:
        """Plan the next segment from its text and tree; False if the file must be
        analysed whole."""
        if not self.segments:
            self.future_flags = _future_flags(tree)
            self.future = "".join(
                (ast.get_source_segment(text, s) or "") + "\n" for s in tree.body if _is_future(s)
            )
        segment = _segment(text, tree, self.future_flags, self.future, bool(self.segments))
        if segment is None:
            self.failed = True
            return False
        self.append(segment)
        return True

    def append(self, segment: Segment) -> None:
        """The next segment, planned elsewhere (its ``line`` is set here)."""
        segment.line = self.line
        self.segments.append(segment)
        self.line += _line_breaks(segment.text)

    def finish(self, texts: Iterator[tuple[str, ast.Module] | None]) -> list[Segment] | None:
        """Plan what is left of ``texts``; the segments, or None (see :func:`plan`)."""
        if self.failed:
            return None
        for found in texts:
            if found is None or not self.add(*found):
                return None
        return self.segments or None


def planned_segment(text: str, flags: int, future: str, unparsed: T) -> Segment | T | None:
    """The segment of ``text`` when it is not the file's first (``flags`` and ``future``:
    the first one's ``__future__`` imports), None when the file must be analysed whole, or
    ``unparsed`` when the text does not parse alone. Its ``line`` is left to the planner."""
    tree = _tree(text)
    if tree is None:
        return unparsed
    return _segment(text, tree, flags, future, True)


def _segment(
    text: str, tree: ast.Module, future_flags: int, future: str, later: bool
) -> Segment | None:
    """The segment of ``text`` (``later``: not the file's first), or None when the file must
    be analysed whole."""
    facts = _module_facts(tree, text)
    if facts is None:
        return None
    if later and any(_is_future(s) for s in tree.body):
        return None  # misplaced in the file; CPython's message comes from the whole file
    if not _compiles(tree, future_flags):
        return None
    binds, imports = facts
    bound: Counter[str] = Counter()
    for names in binds:
        bound.update(names)
    spans = _spans(tree)
    return Segment(
        text,
        0,
        ast_statement_starts(tree),
        spans,
        bound,
        imports,
        _mentions(text),
        _statement_words(text, spans),
        [_defined(statement) for statement in tree.body],
        future,
        binds,
        [isinstance(s, ast.Import | ast.ImportFrom) for s in tree.body],
        _prose(tree),
    )


def _tree(text: str) -> ast.Module | None:
    try:
        return check_syntax(text)
    except ParseFailure:
        return None


def _compiles(tree: ast.Module, flags: int) -> bool:
    try:
        compile(tree, "<segment>", "exec", flags=flags | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return False
    return True


def _is_future(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.ImportFrom) and statement.module == "__future__"


def _future_flags(tree: ast.Module) -> int:
    import __future__

    flags = 0
    for statement in tree.body:
        if _is_future(statement):
            assert isinstance(statement, ast.ImportFrom)
            for alias in statement.names:
                feature = getattr(__future__, alias.name, None)
                flags |= getattr(feature, "compiler_flag", 0)
    return flags


def _spans(tree: ast.Module) -> list[tuple[int, int]]:
    return [
        (
            min([s.lineno] + [d.lineno for d in getattr(s, "decorator_list", ())]),
            s.end_lineno or s.lineno,
        )
        for s in tree.body
    ]


def _prose(tree: ast.Module) -> list[tuple[int, int]]:
    """Lines of the string statements of module, class and function bodies that share no
    line with other code (see :attr:`Segment.prose`)."""
    found: list[tuple[int, int]] = []
    stack: list[tuple[list[ast.stmt], int]] = [(tree.body, 0)]
    while stack:
        body, header = stack.pop()
        for index, statement in enumerate(body):
            if (
                isinstance(statement, ast.Expr)
                and isinstance(statement.value, ast.Constant)
                and isinstance(statement.value.value, str)
            ):
                end = statement.end_lineno or statement.lineno
                before = body[index - 1].end_lineno or 0 if index else header
                after = body[index + 1].lineno if index + 1 < len(body) else end + 1
                if before < statement.lineno and after > end:
                    found.append((statement.lineno, end))
            elif isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                stack.append((statement.body, statement.lineno))
    return found


def _line_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _statement_words(text: str, spans: list[tuple[int, int]]) -> list[frozenset[str]]:
    lines = _line_table(text)
    last = len(lines) - 1
    return [_mentions(text[lines[first - 1] : lines[min(end, last)]]) for first, end in spans]


def _defined(statement: ast.stmt) -> str | None:
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
        return None if statement.decorator_list else statement.name
    return None


def _mentions(text: str) -> frozenset[str]:
    words = set(_IDENTIFIER.findall(text))
    return frozenset(w if w.isascii() else unicodedata.normalize("NFKC", w) for w in words)


def _module_facts(tree: ast.Module, text: str) -> tuple[list[Counter[str]], frozenset[str]] | None:
    """(bindings at module level of each top-level statement, names of plain top-level
    imports), or None for what a segment cannot stand for: a star import, ``global`` or
    ``nonlocal`` at module level."""
    binds: list[Counter[str]] = []
    imports: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            if any(alias.name == "*" for alias in statement.names):
                return None
            if not _is_future(statement):
                imports.update(_import_names(statement))
    has_global = _GLOBAL.search(text) is not None
    for statement in tree.body:
        bound: Counter[str] = Counter()
        for node in _module_level(statement):
            if isinstance(node, ast.Global | ast.Nonlocal):
                return None
            for name in _bound_by(node):
                bound[name] += 1
        if has_global:  # a function's ``global x`` binds the module's ``x``
            for node in ast.walk(statement):
                if isinstance(node, ast.Global):
                    for name in node.names:
                        bound[name] += 1
        binds.append(bound)
    return binds, frozenset(imports)


def _import_names(statement: ast.Import | ast.ImportFrom) -> Iterator[str]:
    for alias in statement.names:
        if alias.asname is not None:
            yield alias.asname
        elif isinstance(statement, ast.Import):
            yield alias.name.split(".")[0]
        else:
            yield alias.name


def _module_level(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node evaluated in the module's own scope: function and class bodies and lambdas
    are not entered (their headers are), comprehensions are (their targets then count as
    module bindings: more names unknown, never fewer)."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            children: Iterable[ast.AST] = (
                child
                for field, value in ast.iter_fields(node)
                if field != "body"
                for child in (value if isinstance(value, list) else [value])
                if isinstance(child, ast.AST)
            )
        elif isinstance(node, ast.Lambda):
            children = [node.args]
        else:
            children = ast.iter_child_nodes(node)
        stack.extend(children)


def _bound_by(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
        yield node.id
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name
    elif isinstance(node, ast.Import | ast.ImportFrom):
        yield from _import_names(node)
    elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        yield node.name
    elif isinstance(node, ast.MatchMapping) and node.rest:
        yield node.rest
    elif type(node).__name__ == "TypeAlias":  # Python 3.12's ``type X = ...``
        name = getattr(node, "name", None)
        if isinstance(name, ast.Name):
            yield name.id


@dataclass
class Context:
    """What the segments know of each other, updated as they are analysed in order."""

    segments: list[Segment]
    bound: Counter[str]
    """Module-level bindings of each name in the whole file."""
    reached_in: Counter[str]
    """How many segments mention each word in code the module's top level may run: its
    statements other than plain ``def``, and the functions named there (transitively,
    across the whole file). A function nothing names is analysed on its own and changes
    nothing another statement sees."""
    carried: dict[str, Value]
    """Names known in the segments still to come (imported once, before them)."""

    @classmethod
    def of(cls, segments: list[Segment]) -> Context:
        bound: Counter[str] = Counter()
        for segment in segments:
            bound.update(segment.bound)
        reached = _reached(segments)
        reached_in: Counter[str] = Counter()
        for segment, flags in zip(segments, reached, strict=True):
            segment.reached = frozenset().union(
                *(words for words, flag in zip(segment.words, flags, strict=True) if flag)
            )
            reached_in.update(segment.reached)
        return cls(segments, bound, reached_in, {})

    def given(self, segment: Segment) -> dict[str, Value]:
        """Module names as the segment's top level starts: the carried imports, and every
        other name the rest of the file binds as ``Unknown``."""
        names: dict[str, Value] = {name: Unknown() for name in self.hidden(segment)}
        names.update((k, v) for k, v in self.carried.items() if k in segment.mentions)
        return names

    def hidden(self, segment: Segment) -> frozenset[str]:
        """Names another segment binds (and that are not carried): unknown here. Only the
        names the segment mentions matter (the others it cannot read)."""
        return frozenset(
            name
            for name in segment.mentions
            if self.bound.get(name, 0) > segment.bound.get(name, 0) and name not in self.carried
        )

    def carry(self, segment: Segment, top_level: Mapping[str, Value] | None) -> None:
        """After ``segment`` ran: its imports that are the file's only binding of their name,
        as the values they had (modules outside the project only)."""
        if top_level is None:
            return
        for name in segment.imports:
            value = top_level.get(name)
            if self.bound[name] == 1 and isinstance(value, ModuleRef):
                self.carried[name] = value

    def open_lines(self, segment: Segment) -> list[tuple[int, int]]:
        """Spans (segment lines) of the segment's open top-level statements (module doc):
        those that mention a name another segment binds, or one the segment binds that code
        another segment's top level may run mentions; then, within the segment, those that
        mention a module-level name an open statement mentions."""
        mine = set(segment.bound) - set(self.carried)
        shared = self.hidden(segment) | {
            name for name in mine if self.reached_in[name] > (name in segment.reached)
        }
        opened = [bool(words & shared) for words in segment.words]
        spread = mine & set().union(*(w for w, o in zip(segment.words, opened, strict=True) if o))
        changed = True
        while changed:
            changed = False
            for index, words in enumerate(segment.words):
                if not opened[index] and words & spread:
                    opened[index] = changed = True
                    spread |= words & mine
        return [span for span, o in zip(segment.spans, opened, strict=True) if o]


def _reached(segments: list[Segment]) -> list[list[bool]]:
    """For each top-level statement: whether the module's top level may run it."""
    flags = [[name is None for name in segment.defines] for segment in segments]
    named: set[str] = set()
    for segment, marks in zip(segments, flags, strict=True):
        for words, flag in zip(segment.words, marks, strict=True):
            if flag:
                named |= words
    changed = True
    while changed:
        changed = False
        for segment, marks in zip(segments, flags, strict=True):
            for index, name in enumerate(segment.defines):
                if not marks[index] and name in named:
                    marks[index] = changed = True
                    named |= segment.words[index]
    return flags


_NEWLINE = re.compile(r"\r\n|\r|\n")


def _line_table(text: str) -> list[int]:
    """Offset of each line's start, and the text's end last."""
    return [0] + [m.end() for m in _NEWLINE.finditer(text)] + [len(text)]


def analyze_segment(
    module: cst.Module,
    segment: Segment,
    text: str,
    context: Context,
    project: Project | None = None,
    path: str | None = None,
) -> Trace:
    """Interpret one segment's module (``text``: the segment as libcst parsed it) with what
    the rest of the file is known to bind, then record what it carries to the next ones."""
    interpreter = Interpreter(module, text, project, _absolute(path))
    interpreter.given = context.given(segment)
    interpreter.hidden = context.hidden(segment)
    interpreter.trace.line_offset = segment.line
    if text is segment.text:
        interpreter.trace._positions = Positions(module, text, lambda: segment.starts)
    interpreter.run()
    context.carry(segment, interpreter.top_level)
    return interpreter.trace
