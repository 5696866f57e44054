"""Witnesses: one name for each attribute of each instance a script reaches.

A witness has no instances, only names: ``self.conv`` becomes ``self_conv``. Where the
script runs methods of two instances that both have a ``conv`` (a block and the next one,
each with its own layer), one name for both would give the second block the first one's
layer, and the script would fail on a shape of its own making. So the instance whose
statements come first keeps ``self_``, and any other instance naming one of its attributes
gets a prefix of its own (its class's name, lowercased, numbered past the first).

An attribute of a project instance read from outside it (``cconv.weight`` of a
``cconv = CatConv2d(...)`` the script cannot build) is the name its own methods bound it to
(``self_weight``), so the script reads the tensor those methods made.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.trace import Trace
from autograd_lint.analysis.values import NNModule

SELF = "self"


class _SelfAttributes(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: set[str] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value == SELF:
            self.found.add(node.attr.value)


def self_attributes(statement: cst.CSTNode) -> set[str]:
    """The attributes a statement names on ``self``."""
    collector = _SelfAttributes()
    statement.visit(collector)
    return collector.found


class InstanceNames:
    """The prefix standing for ``self`` in each statement of one script."""

    def __init__(self, trace: Trace, seqs: set[int] | frozenset[int] = frozenset()) -> None:
        self.trace = trace
        self.prefixes: dict[int, str] = {}
        """id of an instance -> its prefix, for those that do not keep ``self``."""
        claimed: dict[str, int] = {}
        """Attribute -> the instance whose name ``self_<attribute>`` is."""
        used = {SELF}
        for seq in sorted(seqs):
            instance = self._instance(seq)
            entry = trace.statements.get(seq)
            if instance is None or entry is None or id(instance) in self.prefixes:
                continue
            attributes = self_attributes(entry[0])
            if any(claimed.get(a, id(instance)) != id(instance) for a in attributes):
                self.prefixes[id(instance)] = _fresh(instance.kind.lower(), used)
                continue
            for attribute in attributes:
                claimed.setdefault(attribute, id(instance))
        self._attributes: dict[int, set[str]] | None = None
        self._names: set[str] | None = None

    def _instance(self, seq: int) -> NNModule | None:
        """The instance ``self`` is in statement ``seq``; none for a method run on its own
        (its ``self`` stands for any instance, with the attributes ``__init__`` gives)."""
        instance = self.trace.selves.get(seq)
        if instance is None or isinstance(instance.site, cst.FunctionDef):
            return None
        return instance

    def prefix(self, seq: int) -> str:
        """What ``self`` is written as in statement ``seq``."""
        instance = self._instance(seq)
        return SELF if instance is None else self.prefixes.get(id(instance), SELF)

    def binding(self, seq: int, name: str) -> str:
        """The script's name for ``name`` bound at ``seq`` (``self_conv`` of a renamed
        instance is that instance's)."""
        prefix = self.prefix(seq)
        if prefix == SELF or not name.startswith(f"{SELF}_"):
            return name
        return f"{prefix}_{name[len(SELF) + 1 :]}"

    def outside_reads(self, statement: cst.CSTNode, seq: int) -> dict[tuple[str, str], str]:
        """(name, attribute) -> the script's name, for each ``name.attribute`` of
        ``statement`` where ``name`` is, at ``seq``, a project module instance whose own
        methods bound that attribute."""
        found: dict[tuple[str, str], str] = {}
        reads = _OutsideReads()
        statement.visit(reads)
        for name, attribute in reads.found:
            if name not in self._instance_names():
                continue
            instance = self._bound_before(name, seq)
            if instance is None or attribute not in self._attributes_of(instance):
                continue
            prefix = self.prefixes.get(id(instance), SELF)
            found[(name, attribute)] = f"{prefix}_{attribute}"
        return found

    def _instance_names(self) -> set[str]:
        """Names the file ever binds to a project module instance."""
        if self._names is None:
            self._names = {
                name
                for bound in self.trace.bindings.values()
                for name, value in bound.items()
                if isinstance(value, NNModule) and not value.builtin
            }
        return self._names

    def _bound_before(self, name: str, seq: int) -> NNModule | None:
        latest = max(
            (s for s, bound in self.trace.bindings.items() if s <= seq and name in bound),
            default=None,
        )
        if latest is None:
            return None
        value = self.trace.bindings[latest][name]
        if isinstance(value, NNModule) and not value.builtin and value.is_module:
            return value
        return None

    def _attributes_of(self, instance: NNModule) -> set[str]:
        if self._attributes is None:
            self._attributes = {}
            for seq, owner in self.trace.selves.items():
                bound = self.trace.bindings.get(seq, {})
                names = {n[len(SELF) + 1 :] for n in bound if n.startswith(f"{SELF}_")}
                self._attributes.setdefault(id(owner), set()).update(names)
        return self._attributes.get(id(instance), set())


class _OutsideReads(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found: set[tuple[str, str]] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value != SELF:
            self.found.add((node.value.value, node.attr.value))


def _fresh(base: str, used: set[str]) -> str:
    name = base if base.isidentifier() else "instance"
    count = 1
    candidate = name
    while candidate in used:
        count += 1
        candidate = f"{name}{count}"
    used.add(candidate)
    return candidate
