"""Witnesses: stand-ins for the values a script cannot compute as the file does.

A value the slice reads but does not make is written, in order of preference, as another
name the script bound it to, the torch creation call that made it, a parameter of a layer
the script creates (``fc.weight``), its constant, or a placeholder of its solved shape.
:class:`ValueWriter` is the part of the slice builder that chooses.
"""

from __future__ import annotations

import ast

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis import shapes
from autograd_lint.analysis.names import dotted
from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import NNModule, PlainValue, Tensor, Tri, Unknown, Value
from autograd_lint.analysis.witness_names import _TORCH_ROOTS, _Checker, _names_read
from autograd_lint.analysis.witness_stand_ins import _legacy_constructor, _placeholder
from autograd_lint.quiet_parse import parse_quietly


class ValueWriter:
    """The stand-ins of a slice builder, over the layers its last script created."""

    def __init__(self, trace: Trace) -> None:
        self.trace = trace
        self.empty = cst.Module(body=[])
        self.layers: dict[str, NNModule] = {}
        """Built-in modules the last rendered script creates, by name (their parameters
        can be named through them: ``fc.weight``)."""
        self.same_tensor: dict[tuple[int, int], str] = {}
        """(storage, creation site) of a tensor -> a name the script bound it to."""

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
                if made is not None and not names_in(made) - set(_TORCH_ROOTS):
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


def names_in(expression: str) -> set[str]:
    """The names an expression reads (``torch.tensor([i % 5])`` reads ``torch`` and ``i``);
    ``{""}`` for text that is not an expression (it reads something unknown)."""
    try:
        tree = parse_quietly(expression, mode="eval")
    except SyntaxError:
        return {""}
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
