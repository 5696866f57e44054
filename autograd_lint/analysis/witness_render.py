"""Witnesses: rendering a set of executed statements as a script.

:class:`SliceBuilder` writes the statements of a slice in execution order (a followed call's
body before the statement that called it, ``no_grad`` blocks re-wrapped), with the file's
names made the script's (:mod:`witness_names`) and stand-ins for what it cannot compute
(:mod:`witness_stand_ins`), under the file's torch imports. How one statement is written is
:mod:`witness_render_statements`, how a value stands in :mod:`witness_render_values`, and
the order around followed calls :mod:`witness_render_order`.
"""

from __future__ import annotations

import re

import libcst as cst

from autograd_lint.analysis import config_constants, shapes
from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import NNModule, Tensor
from autograd_lint.analysis.witness_extent import binding_seqs, with_layers, with_returns
from autograd_lint.analysis.witness_imports import foreign_imports
from autograd_lint.analysis.witness_instances import InstanceNames
from autograd_lint.analysis.witness_loop_items import loop_target
from autograd_lint.analysis.witness_loop_targets import flag_loop
from autograd_lint.analysis.witness_names import (
    _known_constants,
    _names_read,
    _reads_only,
    unstarred,
)
from autograd_lint.analysis.witness_rebound import per_call_bindings
from autograd_lint.analysis.witness_render_order import (
    finished_at,
    made_in_body,
    unread_dropped,
    written_lines,
)
from autograd_lint.analysis.witness_render_statements import HEADER, StatementWriter
from autograd_lint.analysis.witness_stand_ins import (
    _fill_placeholders,
    _inplace_flags,
    device_attributes,
    newaxis_reads,
)
from autograd_lint.cells import lines_with_ends

__all__ = ["HEADER", "SliceBuilder"]


WIDENINGS = 3
"""Rounds of adding the statements that bind what a script would need stand-ins for."""

_PARAMETERS = re.compile(r"\.(weight|bias|parameters\(|named_parameters\(|weight_[gv])\b")
"""A read of a layer's parameters."""


class SliceBuilder(StatementWriter):
    """Renders a set of executed statements as a witness script."""

    def __init__(self, trace: Trace) -> None:
        super().__init__(trace)
        self.overrides: dict[int, cst.SimpleStatementLine] = {}
        """Statements rendered in place of the file's (a write whose value stands in)."""
        self.free: set[str] = set()
        """Names the last rendered script reads, never binds, and holds stand-ins for."""

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
                last, depth = finished_at(self.trace, seq)
                entries.append((last, 2, -depth, seq))
            else:
                entries.append((seq, 1, seq, seq))
        deferred = made_in_body(self.trace, seqs, [seq for _, kind, _, seq in entries if kind == 0])
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

                    bound, rendered_lines = written_lines(bound, rendered_lines, readable)
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
                        bound, rendered_lines = written_lines(
                            bound, rendered_lines, lambda name, line: True
                        )
                    elif kind == 2:
                        # a followed call none of whose body the slice holds: the loop
                        # targets of that body, bound at the call's number, that no
                        # statement of the slice reads need no stand-in
                        bound, rendered_lines = unread_dropped(bound, rendered_lines, needed)
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
                        rendered_lines = list[str | None](loop[1].splitlines())
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
        if free is None or free & foreign_imports(self.trace.module):
            return None  # ``math.log(...)``: no tensor stands in for a module
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
