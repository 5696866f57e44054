"""``copy.deepcopy(module)``: a new module whose parameters are new leaves.

Federated learning, EMA and target networks copy a model with ``copy.deepcopy``: the copy
has parameters of its own (leaves with the same ``requires_grad``), its own submodules and,
for a module or object of the project, its own attributes. Without this the copy was an
unknown value and nothing its methods computed was known (a user's ``self.model =
copy.deepcopy(model)`` hid every loss computed with it).

Only what deepcopy is sure to give is built: a leaf tensor's copy is a new leaf (torch
refuses to deep-copy a non-leaf, so that stays unknown), numbers and strings are shared
as Python shares them, lists and dicts are copied item by item, and anything else (an
optimizer, a value not known) is unknown in the copy. Objects reached twice are copied
once (deepcopy's memo).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import libcst as cst

from autograd_lint.analysis.state import State
from autograd_lint.analysis.values import (
    NNModule,
    PlainValue,
    Sequence,
    Tensor,
    Tri,
    Unknown,
    Value,
    provenance,
)

MAX_DEPTH = 12
"""Nesting of submodules and containers copied; deeper values are unknown in the copy."""


def deep_copy(value: Value, state: State, site: cst.CSTNode, prov: frozenset[int]) -> Value:
    """The value ``copy.deepcopy(value)`` gives, its heap attributes bound in ``state``."""
    return _Copier(state, site, prov).copy(value, 0)


class _Copier:
    def __init__(self, state: State, site: cst.CSTNode, prov: frozenset[int]) -> None:
        self.state = state
        self.site = site
        self.prov = prov
        self.memo: dict[int, Value] = {}
        self.heap = _heap_keys(state)

    def copy(self, value: Value, depth: int) -> Value:
        if id(value) in self.memo:
            return self.memo[id(value)]
        if depth > MAX_DEPTH:
            return Unknown(provenance(value) | self.prov)
        if isinstance(value, PlainValue):
            return value
        if isinstance(value, Tensor):
            return self._tensor(value)
        if isinstance(value, Sequence):
            copied = dataclasses.replace(value, items=[], prov=value.prov | self.prov)
            if value.keys is not None:
                copied.keys = list(value.keys)
            self.memo[id(value)] = copied
            copied.items = [self.copy(item, depth + 1) for item in value.items]
            return copied
        if isinstance(value, NNModule):
            return self._object(value, depth)
        return Unknown(provenance(value) | self.prov)

    def _tensor(self, tensor: Tensor) -> Value:
        if tensor.is_leaf is not Tri.YES:
            return Unknown(tensor.prov | self.prov)
        copied = Tensor(
            tensor.requires_grad,
            Tri.YES,
            self.site,
            tensor.prov | self.prov,
            is_param=tensor.is_param,
            label=tensor.label,
            elements=tensor.elements,
        )
        self.memo[id(tensor)] = copied
        return copied

    def _object(self, instance: NNModule, depth: int) -> NNModule:
        copied = dataclasses.replace(
            instance, params=[], children=[], prov=instance.prov | self.prov, site=self.site
        )
        self.memo[id(instance)] = copied
        copied.params = [
            c for p in instance.params if isinstance(c := self.copy(p, depth + 1), Tensor)
        ]
        copied.children = [self.copy(child, depth + 1) for child in instance.children]
        prefix = f"#{id(instance)}."
        for key in self.heap.get(id(instance), ()):
            found = self.state.env.get(key, self.state.globals.get(key))
            if found is not None:
                attribute = key[len(prefix) :]
                self.state.env[f"#{id(copied)}.{attribute}"] = self.copy(found, depth + 1)
        return copied


def _heap_keys(state: State) -> dict[int, list[str]]:
    """The attribute bindings on the heap, by the identity of the object they belong to."""
    keys: dict[int, list[str]] = {}
    for mapping in (state.globals, state.env):
        for key in _names(mapping):
            if key.startswith("#"):
                owner, _, _ = key[1:].partition(".")
                if owner.isdigit():
                    keys.setdefault(int(owner), []).append(key)
    return keys


def _names(mapping: Mapping[str, Value]) -> list[str]:
    return list(mapping.keys())
