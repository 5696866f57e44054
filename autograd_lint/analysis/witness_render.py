"""Witnesses: rendering a set of executed statements as a script.

:class:`SliceBuilder` writes the statements of a slice in execution order (a followed call's
body before the statement that called it, ``no_grad`` blocks re-wrapped), with the file's
names made the script's (:mod:`witness_names`) and stand-ins for what it cannot compute
(:mod:`witness_stand_ins`), under the file's torch imports.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis import config_constants, shapes
from autograd_lint.analysis.names import dotted
from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import (
    NNModule,
    PlainValue,
    Tensor,
    Tri,
    Unknown,
    Value,
)
from autograd_lint.analysis.witness_extent import binding_seqs, with_layers, with_returns
from autograd_lint.analysis.witness_imports import replayable_import
from autograd_lint.analysis.witness_instances import InstanceNames
from autograd_lint.analysis.witness_loop_items import loop_target
from autograd_lint.analysis.witness_loop_targets import flag_loop
from autograd_lint.analysis.witness_names import (
    _ALLOWED_BUILTINS,
    _TORCH_ROOTS,
    LegacyNewWriter,
    _Checker,
    _ConstantWriter,
    _FollowedCallReplacer,
    _known_constants,
    _ModelCallReplacer,
    _NameCollector,
    _names_read,
    _read_before_bound,
    _reads_only,
    _ReparametrizationWriter,
    _SelfRenamer,
    _VariableWriter,
    reparametrization_names,
    unstarred,
    variable_names,
)
from autograd_lint.analysis.witness_rebound import per_call_bindings, runs_in_order
from autograd_lint.analysis.witness_stand_ins import (
    _fill_placeholders,
    _inplace_flags,
    _legacy_constructor,
    _placeholder,
    device_attributes,
    newaxis_reads,
    opaque_read,
)
from autograd_lint.cells import lines_with_ends

HEADER = ("import torch", "import torch.nn as nn", "import torch.nn.functional as F")


_IMPORTS: dict[int, tuple[Trace, list[str]]] = {}
"""The torch imports of the last file rendered (one file's findings are rendered together)."""


WIDENINGS = 3
"""Rounds of adding the statements that bind what a script would need stand-ins for."""

_PARAMETERS = re.compile(r"\.(weight|bias|parameters\(|named_parameters\(|weight_[gv])\b")
"""A read of a layer's parameters."""


class SliceBuilder:
    """Renders a set of executed statements as a witness script."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.empty = cst.Module(body=[])
        self.layers: dict[str, NNModule] = {}
        """Built-in modules the last rendered script creates, by name (their parameters
        can be named through them: ``fc.weight``)."""
        self.models: set[str] = set()
        """Names of the user's own module instances (never created in a script)."""
        self.rendering: frozenset[int] = frozenset()
        """The statements of the script being rendered."""
        self.same_tensor: dict[tuple[int, int], str] = {}
        """(storage, creation site) of a tensor -> a name the script bound it to."""
        self.variables = variable_names(trace.module)
        """The names the file calls ``torch.autograd.Variable`` by."""
        self.reparametrizations = reparametrization_names(trace.module)
        """The names the file calls ``weight_norm`` and ``spectral_norm`` by."""
        self.reparametrized = False
        """Whether the last rendered script dropped one of those wrappers."""
        self.overrides: dict[int, cst.SimpleStatementLine] = {}
        """Statements rendered in place of the file's (a write whose value stands in)."""
        self._return_index: dict[int, dict[int, int]] | None = None
        """Caller -> (the trace's number of a ``return`` -> that caller's run of it)."""
        self.free: set[str] = set()
        """Names the last rendered script reads, never binds, and holds stand-ins for."""
        self.instances = InstanceNames(trace)
        """What ``self`` is written as in each statement of the script being rendered."""

    def render(
        self, seqs: set[int] | frozenset[int], essential: frozenset[int] = frozenset()
    ) -> str | None:
        """The script of ``seqs``; ``essential`` statements (the write, the save, the
        backward a finding rests on) must appear as written, never as stand-ins.

        Where the script needs a stand-in for a name the slice reads but never binds
        (``size = pred.size()`` that no provenance recorded), the statements binding it
        are added (and those binding what they read, a few rounds deep) and kept if the
        script then needs fewer stand-ins."""
        script = self._widened(with_layers(self.trace, with_returns(self.trace, seqs)), essential)
        if script is not None and any(
            re.search(rf"\.new_zeros\({re.escape(name)}\)", script) for name in self.free
        ):
            return None  # the size of a legacy ``new(*size)`` must be the file's, not a tensor
        return script

    def _widened(self, seqs: set[int] | frozenset[int], essential: frozenset[int]) -> str | None:
        """The script of ``seqs``, with the statements binding names it would need
        stand-ins for where that leaves fewer stand-ins."""
        script = self._render(seqs, essential)
        missing = set(self.free) if script is not None else set()
        if not missing:
            return script
        wider_seqs = set(seqs)
        wider: str | None = None
        for _ in range(WIDENINGS):  # ``h_size = (batch_size, hidden)`` then ``batch_size``
            extra = binding_seqs(self.trace, set(self.free), wider_seqs) - wider_seqs
            if not extra:
                break
            wider_seqs |= extra
            wider = self._render(wider_seqs, essential)
            if wider is None or not self.free:
                break
        if wider is not None and len(self.free) < len(missing):
            return wider
        return self._render(seqs, essential)  # leave the builder as for that script

    def _render(
        self, seqs: set[int] | frozenset[int], essential: frozenset[int] = frozenset()
    ) -> str | None:
        lines: list[str] = []
        defined: set[str] = set()
        modules: set[str] = set()
        names_of: dict[int, str] = {}
        """Value identity -> a name bound to it earlier in the script."""
        no_grad_open = False
        previous_loop: cst.For | None = None
        """The flag loop the script wrote last (its other passes are not written)."""
        rebound_at: set[tuple[int, str]] = set()
        items_at: dict[str, tuple[int, int | None, int]] = {}
        """A loop target -> (loop, call, pass) of the item the script last bound it to."""
        """(statement, parameter) bound before each run of a call instead (``per_call``)."""
        self.layers = {}
        self.same_tensor = {}
        self.models = set()
        self.rendering = frozenset(seqs)
        self.reparametrized = False
        finished = self.trace.finished_after
        entries: list[tuple[int, int, int, int]] = []
        rendered_lines: list[str | None]
        callers: set[int] = set()
        for seq in seqs:
            caller = self.trace.called_from.get(seq)
            while caller is not None and caller not in callers:
                callers.add(caller)
                caller = self.trace.called_from.get(caller)
        per_call: dict[int, tuple[int, list[tuple[str, cst.BaseExpression]]]] = {}
        """A ``return`` run of a function one statement calls twice -> that statement and the
        parameters to bind before the run (:mod:`witness_rebound`)."""
        for rebound in self.trace.rebound_inputs & (set(seqs) | callers):
            found = per_call_bindings(self.trace, rebound, self._returns_of(rebound))
            if found is None:
                return None
            per_call.update({run: (rebound, pairs) for run, pairs in found.items()})
            rebound_at |= {(rebound, name) for pairs in found.values() for name, _ in pairs}
        self.instances = InstanceNames(self.trace, set(seqs) | callers)
        self.free = set()
        needed = _names_read(self.trace, seqs)
        for seq in set(seqs) | callers:
            if seq in self.trace.inputs:
                entries.append((seq, 0, seq, seq))
        for seq in seqs:
            # a statement whose call ran a method body comes after that body
            if seq in finished:
                # after the last statement of the calls it made, nested ones included (the
                # ``return self.second(x)`` that ended them), the innermost first
                last, depth = self._finished(seq)
                entries.append((last, 2, -depth, seq))
            else:
                entries.append((seq, 1, seq, seq))
        deferred = self._made_in_body(seqs, [seq for _, kind, _, seq in entries if kind == 0])
        for _, kind, _, seq in sorted(entries):
            entry = self.trace.statements.get(seq)
            if entry is None:
                continue
            statement, grad_mode = entry
            assert isinstance(statement, cst.SimpleStatementLine)
            rendered: str | None = None
            loop: tuple[cst.For, str] | None = None
            if kind == 0:
                bound = {
                    name: value
                    for name, value in self.trace.inputs[seq].items()
                    if (seq, name) not in deferred and (seq, name) not in rebound_at
                }
                literals = self.trace.input_literals.get(seq, {})
                rendered_lines = [
                    f"{name} = {self.empty.code_for_node(literals[name])}"
                    if name in literals
                    else self._argument(name, value, statement, modules, seq)
                    or self._define(name, value, names_of, unknown_is_input=True)
                    for name, value in bound.items()
                ]
                if seq not in seqs or callers:
                    # the arguments of a call the slice runs inside: only those the slice
                    # reads and that can be written from what the script defines stand
                    known = defined | set(bound)

                    def readable(name: str, line: str, known: set[str] = known) -> bool:
                        return name in needed and _reads_only(line, known)

                    bound, rendered_lines = _written(bound, rendered_lines, readable)
                    rendered_lines = rendered_lines or [""]
            else:
                bound = {
                    self.instances.binding(seq, name): value
                    for name, value in self.trace.bindings.get(seq, {}).items()
                }
                rendered = self._statement(self.overrides.get(seq, statement), modules, seq)
                opaque = bool(bound) and seq not in essential and self._opaque(rendered)
                if opaque:
                    rendered = None
                if rendered is None and seq in essential:
                    return None
                if rendered is None:
                    rendered_lines = [
                        self._define(name, value, names_of, unknown_is_input=opaque)
                        for name, value in bound.items()
                    ]
                    if seq in callers:
                        # a call the slice runs inside (its loop targets are bound at the
                        # call's number): what cannot be written is left out
                        bound, rendered_lines = _written(
                            bound, rendered_lines, lambda name, line: True
                        )
                    elif kind == 2:
                        # a followed call none of whose body the slice holds: the loop
                        # targets of that body, bound at the call's number, that no
                        # statement of the slice reads need no stand-in
                        bound, rendered_lines = _unread_dropped(bound, rendered_lines, needed)
                else:
                    rendered_lines = [line.rstrip("\r\n") for line in lines_with_ends(rendered)]
                    if seq in per_call:
                        caller, pairs = per_call[seq]
                        arguments = self._call_arguments(pairs, modules, caller)
                        if arguments is None:
                            return None
                        rendered_lines = [*arguments, *rendered_lines]
                        defined.update(name for name, _ in pairs)
                    loop = flag_loop(self, statement, seq, modules, defined)
                    if loop is not None and loop[0] is previous_loop:
                        continue  # the next pass of the loop just written
                    if loop is not None:
                        rendered_lines = [loop[1]]
                    else:
                        target = loop_target(self.trace, seq, rendered, names_of, items_at)
                        rendered_lines = [*target, *rendered_lines]
                        defined.update(line.split(" = ", 1)[0] for line in target)
            previous_loop = loop[0] if loop is not None else None
            if None in rendered_lines or not (
                rendered_lines or seq in self.trace.inputs or seq in callers
            ):
                # nothing stands for the statement; a call whose body was followed is
                # represented by that body's statements (and the arguments bound above)
                return None
            if rendered is not None:
                rendered_lines += _inplace_flags(bound, rendered)
            if kind:
                bound = dict(bound)
                for (caller, name), (made, source) in deferred.items():
                    if made == seq and source in bound:
                        # the argument of a call whose own argument ran first: bound here
                        rendered_lines.append(f"{name} = {source}")
                        bound[name] = self.trace.inputs[caller][name]
            for name, value in bound.items():
                defined.add(name)
                names_of.setdefault(id(value), name)
                if isinstance(value, Tensor):
                    self.same_tensor.setdefault((value.storage, id(value.site)), name)
                if isinstance(value, NNModule) and not value.builtin:
                    self.models.add(name)
                if isinstance(value, NNModule) and value.builtin and kind and rendered is not None:
                    modules.add(name)
                    self.layers[name] = value
            if grad_mode is False and not no_grad_open:
                lines.append("with torch.no_grad():")
                no_grad_open = True
            elif grad_mode is not False and no_grad_open:
                no_grad_open = False
            prefix = "    " if no_grad_open else ""
            lines.extend(prefix + line for line in rendered_lines if line)
        free = self._free_names("\n".join(lines), defined)
        if free:  # ``cfg.network.coor_bin`` of a plain config class: the literal it holds
            lines = config_constants.substitute(self.trace.module.code, lines, free)
            free = self._free_names("\n".join(lines), defined)
        if free:  # ``device=env.DEVICE`` of an object the slice never builds: a device
            lines = newaxis_reads(device_attributes(lines, free), free)
            free = self._free_names("\n".join(lines), defined)
        if free is None:
            return None
        constants = _known_constants(self.trace)
        parameters = self._parameters_named(free, lines)
        created = self._created(free - set(constants) - set(parameters), seqs)
        preamble = [
            f"{name} = {constants[name]!r}"
            if name in constants
            else f"{name} = {created[name]}"
            if name in created
            else f"{name} = {shapes.PLACEHOLDER_PREFIX}free__"
            for name in sorted(free)
            if name not in parameters
        ]
        self.free = free - set(constants) - set(parameters) - set(created)
        for name in sorted(parameters):  # after its layer: ``emb_vec = token_embedding.weight``
            layer = parameters[name].rsplit(".", 1)[0]
            made = next(i for i, line in enumerate(lines) if line.startswith(f"{layer} = "))
            lines.insert(made + 1, f"{name} = {parameters[name]}")
        if self.reparametrized and any(_PARAMETERS.search(line) for line in lines):
            return None  # a dropped ``weight_norm``'s layer has other parameters than these
        body = unstarred("\n".join(_fill_placeholders([*preamble, *lines]))).splitlines()
        return "\n".join([*self._imports(), *body]) + "\n"

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
        roots = {n.id for n in ast.walk(ast.parse(rendered)) if isinstance(n, ast.Name)}
        literal = config_constants.substitute(self.trace.module.code, [rendered], roots)
        return opaque_read(literal[0])

    def _finished(self, seq: int) -> tuple[int, int]:
        """The last statement the calls of ``seq`` ran (through nested calls), and how deep
        ``seq`` itself is in the calls of the script."""
        finished = self.trace.finished_after
        last = finished.get(seq, seq)
        seen = {seq}
        while last in finished and last not in seen:
            seen.add(last)
            last = finished[last]
        depth = 0
        caller = self.trace.called_from.get(seq)
        while caller is not None and depth < 64:
            depth += 1
            caller = self.trace.called_from.get(caller)
        return last, depth

    def _made_in_body(
        self, seqs: set[int] | frozenset[int], calls: list[int]
    ) -> dict[tuple[int, str], tuple[int, str]]:
        """(call, parameter) -> (statement, name) for the argument of a followed call that
        the body of another call in the same statement returned (``f(g(x))``, ``g``
        followed): it is bound by that body, after the call's other arguments, under a
        name the statement gives it there."""
        found: dict[tuple[int, str], tuple[int, str]] = {}
        if not calls:
            return found
        first: dict[int, int] = {}
        """A value's identity -> the first statement binding a name to it."""
        for seq in sorted(self.trace.bindings):
            for bound in self.trace.bindings[seq].values():
                first.setdefault(id(bound), seq)
        for call in calls:
            for name, value in self.trace.inputs[call].items():
                if not isinstance(value, Tensor) or first.get(id(value), call) < call:
                    continue  # a tensor the call was handed, not one made in the statement
                for seq in sorted(seqs):
                    if seq <= call or not self._runs_inside(seq, call):
                        continue
                    source = next(
                        (n for n, v in self.trace.bindings.get(seq, {}).items() if v is value),
                        None,
                    )
                    if source is not None and source.isidentifier() and source != name:
                        found[(call, name)] = (seq, source)
                        break
        return found

    def _runs_inside(self, seq: int, call: int) -> bool:
        """Whether statement ``seq`` ran inside the call made by statement ``call``."""
        caller = self.trace.called_from.get(seq)
        while caller is not None:
            if caller == call:
                return True
            caller = self.trace.called_from.get(caller)
        return False

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

    def _define(
        self, name: str, value: Value, names_of: dict[int, str], unknown_is_input: bool = False
    ) -> str | None:
        """A stand-in for a value the script cannot compute as the file does.

        ``unknown_is_input``: the parameter of an inlined method, given an argument the file
        does not show (the caller's own parameter): a plain tensor, as a top-level name the
        slice reads but never binds would get.
        """
        other = names_of.get(id(value))
        if other is None and isinstance(value, Tensor):
            # the same tensor after a change of its flags (``requires_grad = True`` made
            # in a helper): the script's tensor took that change too
            other = self.same_tensor.get((value.storage, id(value.site)))
        if other is not None:
            return f"{name} = {other}" if other != name else ""
        made = self._creation(value)
        if made is not None:
            return f"{name} = {made}"
        if isinstance(value, NNModule) and not value.builtin:
            return ""  # calls of it are rendered through their returned values
        parameter = self.parameter_of_layer(value)
        if parameter is not None:
            return f"{name} = {parameter}"
        if unknown_is_input and isinstance(value, Unknown):
            return f"{name} = {shapes.PLACEHOLDER_PREFIX}plain__"
        if isinstance(value, PlainValue) and type(value.const) in (int, float, bool, str):
            return f"{name} = {value.const!r}"  # ``ntoken`` given ``ntokens``: its number
        return _placeholder(name, value)

    def _creation(self, value: Value) -> str | None:
        """The torch creation call that made ``value`` (``torch.randn(1, 12, 16)``), as
        written, where a witness may contain it; a legacy constructor as its modern form."""
        if not isinstance(value, Tensor) or not isinstance(value.site, cst.Call):
            return None
        callee = dotted(value.site.func) or ""
        if callee.startswith("torch.") and callee.rsplit(".", 1)[-1] in ops.CREATION_FUNCTIONS:
            checker = _Checker(set())
            value.site.visit(checker)
            if checker.ok:
                return " ".join(self.empty.code_for_node(value.site).split())
        return _legacy_constructor(value.site, callee)

    def _created(self, names: set[str], seqs: set[int] | frozenset[int]) -> dict[str, str]:
        """For names a script reads but never binds (``input`` of ``for i, (input,
        target) in enumerate(train_data)``): the creation call of the tensor the file last
        bound each to before the first statement of ``seqs`` that reads it, where one made
        it. Its values are as random as a stand-in's, its shape and flags the program's."""
        found: dict[str, str] = {}
        if not names:
            return found
        first: dict[str, int] = {}
        for seq in sorted(seqs):
            for name in _names_read(self.trace, {seq}) & names:
                first.setdefault(name, seq)
        for name in names:
            if name not in first:
                continue
            latest = max(
                (
                    s
                    for s, bound in self.trace.bindings.items()
                    if s < first[name] and name in bound
                ),
                default=None,
            )
            if latest is None:
                continue
            value = self.trace.bindings[latest][name]
            if isinstance(value, Tensor) and value.is_leaf is Tri.YES:
                made = self._creation(value)
                if made is not None and not _names_in(made) - set(_TORCH_ROOTS):
                    found[name] = made
        return found

    def _parameters_named(self, free: set[str], lines: list[str]) -> dict[str, str]:
        """Free names the file binds, once, to a parameter of a layer the script creates at
        its top level (a line of ``lines`` binds it)."""
        found: dict[str, str] = {}
        for name in free:
            values = [b[name] for b in self.trace.bindings.values() if name in b]
            if len(values) != 1 or not isinstance(values[0], Tensor) or not values[0].is_param:
                continue
            attribute = values[0].label.rsplit(".", 1)[-1]
            for layer_name, layer in self.layers.items():
                mine = any(param is values[0] for param in layer.params)
                made = any(line.startswith(f"{layer_name} = ") for line in lines)
                if mine and made and attribute in {"weight", "bias"}:
                    found[name] = f"{layer_name}.{attribute}"
        return found

    def parameter_of_layer(self, value: Value) -> str | None:
        """``fc.weight`` for a parameter of a layer the script creates as ``fc`` (the same
        tensor, or the same one at another moment: its storage and creation site, with its
        flags since changed by a later statement)."""
        if not isinstance(value, Tensor) or not value.is_param:
            return None
        if value.label not in {".weight", ".bias"}:
            return None
        for name, layer in self.layers.items():
            if any(
                param is value
                or (
                    param.storage == value.storage
                    and param.site is value.site
                    and param.label == value.label
                )
                for param in layer.params
            ):
                return f"{name}{value.label}"
        return None

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
            for s in statement.body
        ):
            return None
        if self.trace.constants:
            written = statement.visit(_ConstantWriter(self.trace.constants))
            assert isinstance(written, cst.SimpleStatementLine)
            statement = written
        if self.trace.returned_by:
            replaced = statement.visit(_FollowedCallReplacer(self._returns_of(seq), self.rendering))
            assert isinstance(replaced, cst.SimpleStatementLine)
            statement = replaced
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


def _written(
    bound: dict[str, Value],
    lines: list[str | None],
    keep: Callable[[str, str], bool],
) -> tuple[dict[str, Value], list[str | None]]:
    """The bindings whose stand-in line could be written (and that ``keep`` accepts), with
    those lines, in order."""
    pairs = [
        (name, value, line)
        for (name, value), line in zip(bound.items(), lines, strict=True)
        if line is not None and keep(name, line)
    ]
    return {name: value for name, value, _ in pairs}, [line for _, _, line in pairs]


def _unread_dropped(
    bound: dict[str, Value], lines: list[str | None], needed: set[str]
) -> tuple[dict[str, Value], list[str | None]]:
    """The bindings, with their lines, less those that have no line and that no statement
    of the slice reads."""
    pairs = [
        (name, value, line)
        for (name, value), line in zip(bound.items(), lines, strict=True)
        if line is not None or name in needed
    ]
    return {name: value for name, value, _ in pairs}, [line for _, _, line in pairs]


def _names_in(expression: str) -> set[str]:
    """The names an expression reads (``torch.tensor([i % 5])`` reads ``torch`` and ``i``)."""
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return {""}
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
