"""Assignments: names, unpacking, attributes (``t.data = ...``, ``t.requires_grad = ...``,
state on ``self``, a layer's ``forward`` or ``inplace`` replaced), subscripts (in-place
writes into tensors, items stored into lists and dicts) and augmented assignments
(``x += t`` is an in-place op on a tensor and extends a list).
"""

from __future__ import annotations

import libcst as cst

from autograd_lint import nn_modules, ops
from autograd_lint.analysis import grad_events
from autograd_lint.analysis.expressions import known_key, literal_int
from autograd_lint.analysis.imports import ProjectImports
from autograd_lint.analysis.names import literal_bool
from autograd_lint.analysis.state import State
from autograd_lint.analysis.unpacking import unpacked
from autograd_lint.analysis.values import (
    NNModule,
    PlainValue,
    Sequence,
    Tensor,
    Tri,
    Unknown,
    UserFunction,
    Value,
    provenance,
)

_AUGMENTED: dict[type[cst.BaseAugOp], str] = {
    cst.AddAssign: "+=",
    cst.SubtractAssign: "-=",
    cst.MultiplyAssign: "*=",
    cst.DivideAssign: "/=",
    cst.PowerAssign: "**=",
}


class Assignments(ProjectImports):
    """Binds what an assignment stores, and records the writes it makes."""

    def assign(
        self, target: cst.BaseExpression, value: Value, state: State, source: cst.BaseExpression
    ) -> None:
        self.trace.owner[target] = self._owner
        if isinstance(target, cst.Name):
            if isinstance(value, Tensor) and not value.label:
                value.label = target.value
            state.env[target.value] = value
            self.trace.bindings.setdefault(self._frame.seq, {})[target.value] = value
            if isinstance(value, NNModule) and value.builtin:
                for param in value.params:
                    if param.label.startswith("."):
                        param.label = target.value + param.label
        elif isinstance(target, cst.Tuple | cst.List):
            items = unpacked(value, len(target.elements))
            for element, item in zip(target.elements, items, strict=True):
                if isinstance(element, cst.Element):
                    self.assign(element.value, item, state, source)
        elif isinstance(target, cst.Attribute):
            self.assign_attribute(target, value, state, source)
        elif isinstance(target, cst.Subscript):
            self.assign_subscript(target, value, state)

    def assign_attribute(
        self, target: cst.Attribute, value: Value, state: State, source: cst.BaseExpression
    ) -> None:
        owner = self.expr(target.value, state)
        attr = target.attr.value
        if isinstance(owner, Tensor):
            if attr == "data":
                self.data_write(owner, target, state, "assign", value_expr=source, operands=[value])
            elif attr == "requires_grad":
                flag = literal_bool(source)
                event = grad_events.requires_grad_set(self, owner, target, "assign", flag)
                if owner.is_leaf is not Tri.YES:
                    return
                cut = {"cut_site": target, "cut_reason": "`requires_grad = False`"}
                event.result = self.updated(
                    owner, state, requires_grad=flag, **(cut if flag is Tri.NO else {})
                )
            return
        if isinstance(owner, NNModule) and owner.builtin and attr == "forward":
            # ``layer.forward = wrapper``: calling the layer now runs the wrapper
            if isinstance(value, UserFunction):
                state.env[f"#{id(owner)}.forward"] = value
            return
        if isinstance(owner, NNModule) and owner.builtin and attr == "inplace":
            if owner.kind in nn_modules.INPLACE_ACTIVATIONS:
                flag = literal_bool(source)
                if flag is not Tri.UNKNOWN:
                    owner.inplace = flag is Tri.YES  # ``m.inplace = True`` on a layer
            return
        if isinstance(owner, NNModule) and not owner.builtin:
            state.env[f"#{id(owner)}.{attr}"] = value
            if isinstance(target.value, cst.Name) and target.value.value == "self":
                if isinstance(value, Tensor) and not value.label:
                    value.label = f"self.{attr}"
                self.trace.bindings.setdefault(self._frame.seq, {})[f"self_{attr}"] = value
            if isinstance(value, Tensor) and value.clone_site is not None:
                self.clone_escape(value, "snapshot-attribute", target, state)

    def assign_subscript(self, target: cst.Subscript, value: Value, state: State) -> None:
        owner = self.expr(target.value, state)
        for element in target.slice:
            if isinstance(element.slice, cst.Index):
                self.expr(element.slice.value, state)
        if isinstance(owner, Tensor):
            if (
                isinstance(target.value, cst.Attribute)
                and target.value.attr.value == "data"
                and owner.alias_of is not None
            ):
                self.data_write(
                    owner.alias_of,
                    target,
                    state,
                    "setitem",
                    "__setitem__",
                    receiver=target.value,
                    operands=[value],
                )
                return
            self.inplace_write(owner, target, state, "setitem", "__setitem__", [value])
            return
        if (
            isinstance(value, Tensor)
            and value.clone_site is not None
            and isinstance(owner, Unknown | PlainValue | Sequence)
        ):
            self.clone_escape(value, "snapshot-dict", target, state)
        if isinstance(owner, Sequence) and not owner.homogeneous and len(target.slice) == 1:
            index = target.slice[0].slice
            if owner.keys is not None:
                key = known_key(index.value, state) if isinstance(index, cst.Index) else None
                owner.store(key, value)
            else:
                position = literal_int(index.value) if isinstance(index, cst.Index) else None
                if position is not None and -len(owner.items) <= position < len(owner.items):
                    owner.items[position] = value
                else:
                    owner.items.append(value)  # one of the items may now be this value
            owner.prov = owner.prov | provenance(value)

    def aug_assign(self, node: cst.AugAssign, state: State) -> None:
        self.trace.owner[node.target] = self._owner
        operator = _AUGMENTED.get(type(node.operator))
        target_value = self.expr(node.target, state)
        value = self.expr(node.value, state)
        if isinstance(target_value, Tensor) and operator is not None:
            method = ops.AUGMENTED_INPLACE[operator]
            direct = isinstance(node.target, cst.Attribute) and node.target.attr.value == "data"
            if direct and target_value.alias_of is not None:
                self.data_write(
                    target_value.alias_of,
                    node,
                    state,
                    "augassign",
                    method,
                    receiver=node.target,
                    operands=[value],
                )
                return
            self.inplace_write(target_value, node.target, state, "augassign", method, [value])
            return
        if (
            operator == "+="
            and isinstance(target_value, Sequence)
            and isinstance(value, Sequence)
            and target_value.keys is None
            and not target_value.homogeneous
        ):
            # ``xs += ys`` extends the list itself (every name bound to it sees it)
            target_value.items.extend(value.items[:1] if value.homogeneous else value.items)
            target_value.open_length |= value.homogeneous or value.open_length
            target_value.prov = target_value.prov | value.prov
            return
        if operator is not None:
            combined = self.binary(operator[:-1], target_value, value, node, state)
            self.assign(node.target, combined, state, node.value)
