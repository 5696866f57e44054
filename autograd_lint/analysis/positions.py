"""Source ranges for the few nodes a file's diagnostics point at.

libcst's ``PositionProvider`` generates code for the whole module (and ``MetadataWrapper``
deep-copies it first), which costs more than the parse. Here statement start positions come
from Python's own ``ast`` (a C parser, a fraction of the cost), matched to libcst statements
by their order in the file; a reported node is then placed by generating code for its
statement alone. When the two parsers disagree (newer syntax than this Python knows), the
whole-module code generation is the fallback.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata.position_provider import PositionProvidingCodegenState

from autograd_lint.diagnostics import Range
from autograd_lint.quiet_parse import parse_module_quietly

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
"""Where Python's tokenizer ends a line (``str.splitlines`` also breaks at form feeds)."""


@dataclass
class _Recorder:
    """Stands in for the metadata provider the codegen state writes into."""

    _computed: dict[cst.CSTNode, object] = field(default_factory=dict)


def _codegen_positions(
    module: cst.Module, node: cst.CSTNode, indent: str = ""
) -> dict[cst.CSTNode, object]:
    """Positions of every node under ``node``, generated as if ``node`` sat at ``indent``."""
    recorder = _Recorder()
    state = PositionProvidingCodegenState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=recorder,  # type: ignore[arg-type]
    )
    if indent:
        state.indent_tokens.append(indent)
    node._codegen(state)
    return recorder._computed


def cst_statements(body: object) -> Iterator[cst.CSTNode]:
    """libcst statements in the order ``ast`` lists them; a line of ``a; b`` counts twice."""
    for statement in body:  # type: ignore[attr-defined]
        if isinstance(statement, cst.SimpleStatementLine):
            for _ in statement.body:
                yield statement
        elif isinstance(statement, cst.BaseCompoundStatement):
            yield statement
            yield from _cst_children(statement)


def _cst_block(block: cst.BaseSuite | None) -> Iterator[cst.CSTNode]:
    if block is None:
        return
    if isinstance(block, cst.SimpleStatementSuite):
        for _ in block.body:
            yield block
    else:
        yield from cst_statements(block.body)


def _cst_children(node: cst.BaseCompoundStatement) -> Iterator[cst.CSTNode]:
    if isinstance(node, cst.Match):  # no body of its own: each case has one
        for case in node.cases:
            yield from _cst_block(case.body)
        return
    yield from _cst_block(node.body)
    if isinstance(node, cst.If):
        if isinstance(node.orelse, cst.If):
            yield node.orelse
            yield from _cst_children(node.orelse)
        elif node.orelse is not None:
            yield from _cst_block(node.orelse.body)
    elif isinstance(node, cst.Try | cst.TryStar):
        for handler in node.handlers:
            yield from _cst_block(handler.body)
        if node.orelse is not None:
            yield from _cst_block(node.orelse.body)
        if node.finalbody is not None:
            yield from _cst_block(node.finalbody.body)
    elif isinstance(node, cst.For | cst.While) and node.orelse is not None:
        yield from _cst_block(node.orelse.body)


def _ast_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for statement in body:
        yield statement
        if isinstance(statement, ast.If):
            yield from _ast_statements(statement.body)
            yield from _ast_statements(statement.orelse)
        elif isinstance(statement, ast.Try | getattr(ast, "TryStar", ast.Try)):
            yield from _ast_statements(statement.body)
            for handler in statement.handlers:
                yield from _ast_statements(handler.body)
            yield from _ast_statements(statement.orelse)
            yield from _ast_statements(statement.finalbody)
        elif isinstance(statement, ast.For | ast.AsyncFor | ast.While):
            yield from _ast_statements(statement.body)
            yield from _ast_statements(statement.orelse)
        elif isinstance(statement, ast.Match):
            for case in statement.cases:
                yield from _ast_statements(case.body)
        elif hasattr(statement, "body") and isinstance(statement.body, list):
            yield from _ast_statements(statement.body)


def _start(statement: ast.stmt) -> tuple[int, int]:
    decorators = getattr(statement, "decorator_list", None)
    if decorators:
        first = decorators[0]
        return first.lineno, first.col_offset - 1
    return statement.lineno, statement.col_offset


def ast_statement_starts(tree: ast.Module) -> list[tuple[int, int]]:
    """Where each statement of ``tree`` starts, in the order libcst statements are matched."""
    return [_start(statement) for statement in _ast_statements(tree.body)]


Starts = Callable[[], "list[tuple[int, int]] | Mapping[cst.CSTNode, tuple[int, int]]"]
"""Statement starts known without parsing the text again: :func:`ast_statement_starts` of the
whole text, or each statement's start by its node."""


class Positions:
    """Ranges of the nodes of one module, computed per statement on demand.

    ``starts`` may supply :func:`ast_statement_starts` of the whole text without parsing it
    again, or the start of each statement by its node (a module put together from cached
    chunks knows them chunk by chunk, already matched to its nodes).
    """

    def __init__(
        self,
        module: cst.Module,
        source: str,
        starts: Starts | None = None,
    ) -> None:
        self._module = module
        self._source = source
        self._ast_starts = starts
        self._starts: Mapping[cst.CSTNode, tuple[int, int]] | None = None
        self._whole: dict[cst.CSTNode, object] | None = None
        self._local: dict[cst.CSTNode, dict[cst.CSTNode, object]] = {}
        self._lines: list[str] | None = None
        self.fallbacks = 0
        """How often the whole-module fallback was needed (tests keep this at zero)."""

    def range(self, node: cst.CSTNode, owner: cst.CSTNode | None) -> Range:
        starts = self._statement_starts()
        if owner is None or starts is None or owner not in starts:
            self.fallbacks += 1
            return self._from_whole_module(node)
        line, column = starts[owner]
        local = self._local.get(owner)
        if local is None:
            indent = self._indent(line, column)
            local = self._local[owner] = _codegen_positions(
                self._module, _header_only(owner), indent
            )
        found = local.get(node)
        if found is None:
            self.fallbacks += 1
            return self._from_whole_module(node)
        first_line = 1 + _leading_line_count(owner)
        start, end = found.start, found.end  # type: ignore[attr-defined]
        # an ``elif`` is rendered alone as ``if``: its header's own line is 2 columns longer
        shift = 2 if isinstance(owner, cst.If) and self._is_elif(line, column) else 0
        return Range(
            line + start.line - first_line,
            start.column + (shift if start.line == first_line else 0),
            line + end.line - first_line,
            end.column + (shift if end.line == first_line else 0),
        )

    def _is_elif(self, line: int, column: int) -> bool:
        return self._line(line).startswith("elif", column)

    def _line(self, line: int) -> str:
        """The text of a 1-based line (split at the breaks libcst counts, not at \f, \v,
        U+2028)."""
        if self._lines is None:
            self._lines = _LINE_BREAK.split(self._source)
        return self._lines[line - 1] if 0 < line <= len(self._lines) else ""

    def _indent(self, line: int, column: int) -> str:
        """The whitespace before a statement (its block's indentation, tabs included)."""
        if column == 0:
            return ""
        prefix = self._line(line)[:column]
        return prefix if not prefix.strip() else " " * column

    def _statement_starts(self) -> Mapping[cst.CSTNode, tuple[int, int]] | None:
        if self._starts is None:
            if self._ast_starts is not None:
                known = self._ast_starts()
                if isinstance(known, Mapping):
                    self._starts = known
                    return known
                ast_items = known
            else:
                try:
                    ast_items = ast_statement_starts(parse_module_quietly(self._source))
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    return None
            cst_items = list(cst_statements(self._module.body))
            if len(ast_items) != len(cst_items):
                return None
            starts: dict[cst.CSTNode, tuple[int, int]] = {}
            for node, start in zip(cst_items, ast_items, strict=True):
                starts.setdefault(node, start)
            self._starts = starts
        return self._starts

    def _from_whole_module(self, node: cst.CSTNode) -> Range:
        if self._whole is None:
            self._whole = _codegen_positions(self._module, self._module)
        found = self._whole.get(node)
        if found is None:
            return Range(1, 0, 1, 0)
        start, end = found.start, found.end  # type: ignore[attr-defined]
        return Range(start.line, start.column, end.line, end.column)


def _leading_line_count(node: cst.CSTNode) -> int:
    count = len(getattr(node, "leading_lines", ()))
    for decorator in getattr(node, "decorators", ()):
        count += len(decorator.leading_lines)
        break
    return count


def _header_only(node: cst.CSTNode) -> cst.CSTNode:
    """A compound statement without its body: its header's positions are unchanged."""
    empty = cst.IndentedBlock(body=[cst.SimpleStatementLine(body=[cst.Pass()])])
    if isinstance(node, cst.Match):
        if any(isinstance(case.body, cst.SimpleStatementSuite) for case in node.cases):
            return node  # ``case 1: a = 1``: the match is the owner of that one-line body
        return node.with_changes(cases=[node.cases[0].with_changes(body=empty)])
    if isinstance(node, cst.BaseCompoundStatement) and not isinstance(
        node.body, cst.SimpleStatementSuite
    ):
        changes: dict[str, object] = {"body": empty}
        if isinstance(node, cst.If | cst.For | cst.While | cst.Try):
            changes["orelse"] = None
        if isinstance(node, cst.Try):
            changes = {"body": empty}
        return node.with_changes(**changes)
    return node
