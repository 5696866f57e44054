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
from autograd_lint.analysis.values import NNModule, Value

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

    def chain_reads(self, statement: cst.CSTNode, seq: int) -> dict[str, str]:
        """The code of each longer chain ``model.bert.encoder.layer[i].output.dense`` of
        ``statement`` that reaches, at ``seq``, an attribute a project module instance's own
        methods bound -> the script's name for that attribute (``self_dense``). Children of a
        ``ModuleList`` are followed where the index is a constant or the list's children are
        alike (one built per iteration of a comprehension: any of them stands for the one a
        computed index picks, and the script reads that one throughout)."""
        found: dict[str, str] = {}
        reads = _ChainReads()
        statement.visit(reads)
        for node in reads.found:
            instance = self._resolve(node.value, seq)
            if not isinstance(instance, NNModule) or instance.builtin:
                continue
            attribute = node.attr.value
            if self._attribute_value(instance, attribute, seq) is None:
                continue
            prefix = self.prefixes.get(id(instance), SELF)
            found[_EMPTY.code_for_node(node)] = f"{prefix}_{attribute}"
        return found

    def _resolve(self, node: cst.BaseExpression, seq: int) -> Value | None:
        """The module instance a chain of attributes and constant indices names at ``seq``."""
        if isinstance(node, cst.Name):
            return self._bound_before(node.value, seq)
        if isinstance(node, cst.Attribute):
            owner = self._resolve(node.value, seq)
            if not isinstance(owner, NNModule) or owner.builtin:
                return None
            return self._attribute_value(owner, node.attr.value, seq)
        if isinstance(node, cst.Subscript) and len(node.slice) == 1:
            container = self._resolve(node.value, seq)
            index = node.slice[0].slice
            if not isinstance(container, NNModule) or not container.children:
                return None
            if isinstance(index, cst.Index) and isinstance(index.value, cst.Integer):
                position = int(index.value.value)
                if position < len(container.children):
                    return container.children[position]
                return None
            if container.uniform or _alike(container.children):
                return container.children[0]
        return None

    def _attribute_value(self, instance: NNModule, attribute: str, seq: int) -> Value | None:
        """What ``instance``'s own methods last bound ``attribute`` to, before ``seq``; where
        the trace kept no run of them for this instance (a constructor run once per class
        and reused), what they bound on another instance of its class."""
        key = f"{SELF}_{attribute}"
        bound = [
            (owner is instance, s)
            for s, owner in self.trace.selves.items()
            if s <= seq
            and key in self.trace.bindings.get(s, {})
            and (owner is instance or (owner.cls is not None and owner.cls is instance.cls))
        ]
        if not bound:
            return None
        return self.trace.bindings[max(bound)[1]][key]

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


def _alike(children: list[Value]) -> bool:
    """Children made by one call of one project class (``[Layer(d) for _ in range(n)]``):
    the script may stand any of them for the one a computed index picks."""
    first = children[0]
    return isinstance(first, NNModule) and all(
        isinstance(c, NNModule) and not c.builtin and c.kind == first.kind and c.site is first.site
        for c in children
    )


class _ChainReads(cst.CSTVisitor):
    """``a.b.c`` and ``a.layers[0].c``: attributes read off a longer chain than one name."""

    def __init__(self) -> None:
        self.found: list[cst.Attribute] = []

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Attribute | cst.Subscript):
            self.found.append(node)


_EMPTY = cst.Module(body=[])


def _fresh(base: str, used: set[str]) -> str:
    name = base if base.isidentifier() else "instance"
    count = 1
    candidate = name
    while candidate in used:
        count += 1
        candidate = f"{name}{count}"
    used.add(candidate)
    return candidate
