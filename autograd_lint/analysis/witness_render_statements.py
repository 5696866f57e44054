"""Witnesses: one statement of the file written as a line of the script.

The file's statement with its constants, followed calls' results, legacy forms
(``Variable``, ``.new(...)``, ``weight_norm``) and instance names made the script's, and
refused where what is left reads anything a witness may not contain; the file's torch
imports the script starts with. :class:`StatementWriter` is that part of the slice builder.
"""

from __future__ import annotations

import ast

import libcst as cst

from autograd_lint.analysis import config_constants, shapes
from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import NNModule, Tensor, Value
from autograd_lint.analysis.witness_imports import replayable_import
from autograd_lint.analysis.witness_instances import InstanceNames
from autograd_lint.analysis.witness_names import (
    _ALLOWED_BUILTINS,
    _TORCH_ROOTS,
    LegacyNewWriter,
    _Checker,
    _ConstantAndCallWriter,
    _ModelCallReplacer,
    _NameCollector,
    _read_before_bound,
    _ReparametrizationWriter,
    _SelfRenamer,
    _VariableWriter,
    reparametrization_names,
    variable_names,
)
from autograd_lint.analysis.witness_rebound import runs_in_order
from autograd_lint.analysis.witness_render_values import ValueWriter
from autograd_lint.analysis.witness_stand_ins import opaque_read
from autograd_lint.quiet_parse import parse_module_quietly

HEADER = ("import torch", "import torch.nn as nn", "import torch.nn.functional as F")


_IMPORTS: dict[int, tuple[Trace, list[str]]] = {}
"""The torch imports of the last file rendered (one file's findings are rendered together)."""


class StatementWriter(ValueWriter):
    """Writes the file's statements as the script's lines."""

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        self.models: set[str] = set()
        """Names of the user's own module instances (never created in a script)."""
        self.rendering: frozenset[int] = frozenset()
        """The statements of the script being rendered."""
        self.variables = variable_names(trace.module)
        """The names the file calls ``torch.autograd.Variable`` by."""
        self.reparametrizations = reparametrization_names(trace.module)
        """The names the file calls ``weight_norm`` and ``spectral_norm`` by."""
        self.reparametrized = False
        """Whether the last rendered script dropped one of those wrappers."""
        self._return_index: dict[int, dict[int, int]] | None = None
        """Caller -> (the trace's number of a ``return`` -> that caller's run of it)."""
        self.instances = InstanceNames(trace)
        """What ``self`` is written as in each statement of the script being rendered."""

    def _argument(
        self,
        name: str,
        value: Value,
        statement: cst.SimpleStatementLine,
        modules: set[str],
        seq: int,
    ) -> str | None:
        """``embeds = encoder(audio)`` for the argument of a followed call that the calling
        statement computed inline (``l2(encoder(audio))``, or a layer built there:
        ``LossCompute(nn.Linear(8, 11))``): the expression as written, where
        a witness may contain it, evaluated once as the call evaluated it."""
        site: cst.CSTNode | None = None
        if isinstance(value, Tensor) or (isinstance(value, NNModule) and value.builtin):
            site = value.site  # a layer too: ``Loss(nn.Linear(8, 11))``
        if not isinstance(site, cst.BaseExpression) or self.trace.owner.get(site) is not statement:
            return None
        line = cst.SimpleStatementLine(
            body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=site)]
        )
        return self._statement(line, modules, seq)

    def _call_arguments(
        self, pairs: list[tuple[str, cst.BaseExpression]], modules: set[str], caller: int
    ) -> list[str] | None:
        """``x = fake``: the parameters of one call, bound to its arguments as the calling
        statement (number ``caller``) writes them."""
        lines: list[str] = []
        for name, argument in pairs:
            line = cst.SimpleStatementLine(
                body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=argument)]
            )
            written = self._statement(line, modules, caller)
            if written is None:
                return None
            lines.append(written)
        return lines

    def _opaque(self, rendered: str | None) -> bool:
        """Whether ``rendered`` reads what the sandbox has no such thing for, even once the
        settings it reads are their literals (``cfg.network.coor_bin``: 64)."""
        if rendered is None or not opaque_read(rendered):
            return False
        roots = {n.id for n in ast.walk(parse_module_quietly(rendered)) if isinstance(n, ast.Name)}
        literal = config_constants.substitute(self.trace.module.code, [rendered], roots)
        return opaque_read(literal[0])

    def _statement(
        self, statement: cst.SimpleStatementLine, modules: set[str], seq: int
    ) -> str | None:
        body = statement.body
        if len(body) == 1 and isinstance(body[0], cst.Return) and body[0].value is not None:
            # a method's return value gets a name the caller's stand-in can refer to
            value = body[0].value
            statement = statement.with_changes(
                body=[
                    cst.Assign(targets=[cst.AssignTarget(cst.Name(f"returned_{seq}"))], value=value)
                ]
            )
        if any(
            isinstance(s, cst.Return | cst.Import | cst.ImportFrom | cst.Global | cst.Nonlocal)
            or (isinstance(s, cst.Expr) and isinstance(s.value, cst.Yield))
            for s in statement.body
        ):
            return None  # a generator's ``yield``: its values reach a loop the slice lacks
        if self.trace.returned_by or self.trace.constants:
            # one pass: the trace knows each followed call and each constant read by its
            # node, which a first rewrite of the statement would replace for the second
            returns = self._returns_of(seq) if self.trace.returned_by else {}
            rewriter = _ConstantAndCallWriter(self.trace.constants, returns, self.rendering)
            written = statement.visit(rewriter)
            assert isinstance(written, cst.SimpleStatementLine)
            statement = written
        if ".new(" in self.empty.code_for_node(statement):
            sized = statement.visit(LegacyNewWriter())
            assert isinstance(sized, cst.SimpleStatementLine)
            statement = sized
        if self.variables:
            legacy = statement.visit(_VariableWriter(self.variables))
            assert isinstance(legacy, cst.SimpleStatementLine)
            statement = legacy
        if self.reparametrizations:
            writer = _ReparametrizationWriter(self.reparametrizations)
            plain = statement.visit(writer)
            assert isinstance(plain, cst.SimpleStatementLine)
            statement = plain
            self.reparametrized |= writer.written > 0
        renamer = _SelfRenamer(
            self.instances.prefix(seq),
            self.instances.outside_reads(statement, seq),
            self.instances.chain_reads(statement, seq),
        )
        renamed = statement.visit(renamer)
        assert isinstance(renamed, cst.SimpleStatementLine)
        renamed = self._replace_model_call(renamed, seq)
        checker = _Checker(modules)
        renamed.visit(checker)
        if not checker.ok:
            return None
        cleaned = renamed.with_changes(
            leading_lines=[], trailing_whitespace=cst.TrailingWhitespace()
        )
        return self.empty.code_for_node(cleaned).strip()

    def _returns_of(self, seq: int) -> dict[cst.CSTNode, int]:
        """The ``return`` each followed call ended at, for the run of statement ``seq``: a
        call in a loop body returns at a new statement number each time round (the trace
        keeps one of them), and each run reads its own."""
        returned_by = self.trace.returned_by
        if self._return_index is None:
            statements = self.trace.statements
            recorded = {
                id(statements[r][0]): r for r in set(returned_by.values()) if r in statements
            }
            index: dict[int, dict[int, int]] = {}
            for other, caller in self.trace.called_from.items():
                entry = statements.get(other)
                if entry is not None and id(entry[0]) in recorded:
                    index.setdefault(caller, {})[recorded[id(entry[0])]] = other
            self._return_index = index
        mine = self._return_index.get(seq)
        ordered = runs_in_order(self.trace, seq) if seq in self.trace.rebound_inputs else {}
        if not mine and not ordered:
            return returned_by
        own = {call: (mine or {}).get(r, r) for call, r in returned_by.items()}
        own.update(ordered)  # two calls of one function: each its own run
        return own

    def _replace_model_call(
        self, statement: cst.SimpleStatementLine, seq: int
    ) -> cst.SimpleStatementLine:
        """One call of a user module whose ``forward`` ran to a ``return``: its result."""
        last = self.trace.finished_after.get(seq)
        if last is None or last not in self.rendering or not self.models:
            return statement  # the ``return`` that names the result is not in the script
        entry = self.trace.statements.get(last)
        if entry is None:
            return statement
        body = entry[0]
        if not (
            isinstance(body, cst.SimpleStatementLine)
            and len(body.body) == 1
            and isinstance(body.body[0], cst.Return)
        ):
            return statement
        replacer = _ModelCallReplacer(self.models, f"returned_{last}")
        replaced = statement.visit(replacer)
        if replacer.replaced != 1 or not isinstance(replaced, cst.SimpleStatementLine):
            return statement  # none, or more than one call to tell apart
        return replaced

    def _imports(self) -> list[str]:
        cached = _IMPORTS.get(id(self.trace))
        if cached is not None and cached[0] is self.trace:
            return cached[1]
        lines = list(HEADER)
        for statement in self.trace.module.body:
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    if isinstance(small, cst.Import | cst.ImportFrom):
                        code = replayable_import(small, self.empty)
                        if code is not None and code not in lines:
                            lines.append(code)
        _IMPORTS.clear()
        _IMPORTS[id(self.trace)] = (self.trace, lines)
        return lines

    def _free_names(self, code: str, defined: set[str]) -> set[str] | None:
        """Names the slice reads but never binds: they get placeholder tensors."""
        try:
            module = cst.parse_module(code)
        except cst.ParserSyntaxError:
            return None
        collector = _NameCollector()
        module.visit(collector)
        known = defined | set(_TORCH_ROOTS) | _ALLOWED_BUILTINS | {"True", "False", "None"}
        known |= {n for n in collector.loaded if n.startswith(shapes.PLACEHOLDER_PREFIX)}
        if collector.called - known or collector.written - known:
            # a name the script never binds, whose attribute it sets (``p.requires_grad =``
            # for a loop target): a stand-in would take the change, not the real tensor
            return None
        early = _read_before_bound(code) - collector.called - _ALLOWED_BUILTINS
        return (collector.loaded - known - collector.called) | early
