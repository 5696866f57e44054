"""Expressions: names, attributes (tensor aliases, heap cells, methods and properties of
project classes), subscripts, operators and literals, each evaluated to an abstract value.
"""

from __future__ import annotations

import builtins
from collections import ChainMap

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis import element_count, grad_events, shape_flow
from autograd_lint.analysis.binding import literal_constant
from autograd_lint.analysis.decorators import has_decorator, is_classmethod, is_staticmethod
from autograd_lint.analysis.effects import Effects
from autograd_lint.analysis.names import is_literal
from autograd_lint.analysis.state import State
from autograd_lint.analysis.values import (
    DeferredImport,
    ElementCount,
    ModuleRef,
    NNModule,
    PlainValue,
    ProjectModule,
    Sequence,
    Tensor,
    Tri,
    Unknown,
    UserClass,
    UserFunction,
    Value,
    provenance,
)
from autograd_lint.quiet_parse import string_value

_BINARY_OPERATORS: dict[type[cst.BaseBinaryOp], str] = {
    cst.Add: "+",
    cst.Subtract: "-",
    cst.Multiply: "*",
    cst.Divide: "/",
    cst.MatrixMultiply: "@",
    cst.Power: "**",
}


_INDEX_COPY = ops.OpSpec(name="index", kind="math", backward_node="IndexBackward0")


def _known_position(index: cst.BaseExpression, value: Value) -> int | None:
    """The integer an index is: a literal, or a name or arithmetic whose value is known
    (``xs[i - 1]``, ``layers[layer]`` with ``layer`` bound to a known number)."""
    position = literal_int(index)
    if (
        position is None
        and isinstance(index, cst.Name | cst.BinaryOperation)
        and isinstance(value, PlainValue)
        and type(value.const) is int
    ):
        position = value.const
    return position


def literal_key(node: cst.BaseExpression) -> str | None:
    """The string a dict key literal spells, else ``None``."""
    if isinstance(node, cst.SimpleString):
        value = string_value(node)
        return value if isinstance(value, str) else None
    return None


def known_key(node: cst.BaseExpression, state: State) -> str | None:
    """The string a dict key is: a literal, or a name bound to a known string (the target of
    a loop over a dict whose keys are literals, ``for key in losses: total[key] += ...``)."""
    found = literal_key(node)
    if found is None and isinstance(node, cst.Name):
        bound = state.lookup(node.value)
        if isinstance(bound, PlainValue) and isinstance(bound.const, str):
            return bound.const
    return found


def _compared(node: cst.Comparison, operands: list[Value]) -> bool | None:
    """``mode == "G"`` with both sides known strings or numbers (a literal argument bound to
    a parameter), ``depth > 1`` of known numbers, or ``cfg.finetune is not None`` with a
    known constant: which branch of an ``if`` runs is then known in that context."""
    if len(node.comparisons) != 1:
        return None
    operator = node.comparisons[0].operator
    comparator = node.comparisons[0].comparator
    if (
        isinstance(operator, cst.Is | cst.IsNot)
        and isinstance(comparator, cst.Name)
        and comparator.value == "None"
        and isinstance(operands[0], PlainValue)
        and (operands[0].const is not None or operands[0].is_none)
    ):
        # a known constant is not None; a known None is
        return isinstance(operator, cst.IsNot) != operands[0].is_none
    if not all(isinstance(o, PlainValue) and o.const is not None for o in operands):
        return None
    left, right = (o.const for o in operands if isinstance(o, PlainValue))
    ordered = _ordered(operator, left, right)
    if ordered is not None:
        return ordered
    if type(left) is not type(right):
        return None
    if isinstance(operator, cst.Equal):
        return left == right
    if isinstance(operator, cst.NotEqual):
        return left != right
    return None


def _ordered(
    operator: cst.BaseCompOp,
    left: int | bool | str | float | None,
    right: int | bool | str | float | None,
) -> bool | None:
    """``self.output_dim > 1``, ``lr <= 0.5`` of numbers known where they were bound (an int
    and a float compare as Python compares them; booleans and strings are left alone)."""
    if type(left) not in (int, float) or type(right) not in (int, float):
        return None
    assert isinstance(left, int | float) and isinstance(right, int | float)
    if isinstance(operator, cst.LessThan):
        return left < right
    if isinstance(operator, cst.LessThanEqual):
        return left <= right
    if isinstance(operator, cst.GreaterThan):
        return left > right
    if isinstance(operator, cst.GreaterThanEqual):
        return left >= right
    return None


MAX_ITEMS_IN_TURN = 8
"""A comprehension over at most this many distinct items is evaluated item by item."""


def _arithmetic(
    operator: str, left: int | bool | str | float | None, right: int | bool | str | float | None
) -> int | float | None:
    """``i - 1`` of known numbers (booleans and strings left alone)."""
    if type(left) not in (int, float) or type(right) not in (int, float):
        return None
    assert isinstance(left, int | float) and isinstance(right, int | float)
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    return None


def _truth(value: Value) -> Tri:
    """What ``bool(value)`` is, where it is known: ``None`` and known constants, and objects
    of the project or layers (true: they define no ``__bool__`` or ``__len__``)."""
    if isinstance(value, PlainValue):
        if value.is_none:
            return Tri.NO
        return Tri.UNKNOWN if value.const is None else Tri.of(bool(value.const))
    if isinstance(value, NNModule) and not value.builtin and not value.is_module:
        return Tri.YES
    return Tri.UNKNOWN


def _unary(
    operator: cst.BaseUnaryOp, value: int | bool | str | float | None
) -> int | bool | float | None:
    """``-1`` and ``not flag`` of known values; anything else is no longer known."""
    if isinstance(operator, cst.Minus) and type(value) in (int, float):
        assert isinstance(value, int | float)
        return -value
    if isinstance(operator, cst.Not) and value is not None:
        return not value
    return None


def literal_int(node: cst.BaseExpression) -> int | None:
    """``3`` or ``-1`` as written, else ``None``."""
    try:
        if isinstance(node, cst.Integer):
            return int(node.value, 0)
        if (
            isinstance(node, cst.UnaryOperation)
            and isinstance(node.operator, cst.Minus)
            and isinstance(node.expression, cst.Integer)
        ):
            return -int(node.expression.value, 0)
    except ValueError:  # beyond the interpreter's digit limit: not a count anyone loops to
        return None
    return None


def _plain_like(value: Value) -> Value:
    return value if isinstance(value, PlainValue) else Unknown(provenance(value))


class Expressions(Effects):
    """Evaluates expressions; calls are dispatched by :class:`ProjectCalls`."""

    def expr(self, node: cst.BaseExpression, state: State) -> Value:
        self.trace.owner[node] = self._owner
        if isinstance(node, cst.Name):
            found = state.lookup(node.value)
            if found is None and node.value in {"True", "False"}:
                return PlainValue(frozenset(), const=node.value == "True")
            if found is None and node.value == "None":
                return PlainValue(frozenset(), is_none=True)
            if isinstance(found, DeferredImport):
                found = self.resolve_deferred(found, state)
            if found is None:
                found = _star_imported(node.value, state)
            return found if found is not None else Unknown()
        if isinstance(node, cst.Attribute):
            value = self.attribute(node, state)
            if isinstance(value, PlainValue) and value.const is not None:
                seen = self.trace.constants.setdefault(node, value.const)
                if seen != value.const or type(seen) is not type(value.const):
                    self.trace.constants[node] = None
            return value
        if isinstance(node, cst.Call):
            return self.call(node, state)
        if isinstance(node, cst.BinaryOperation):
            left = self.expr(node.left, state)
            right = self.expr(node.right, state)
            operator = _BINARY_OPERATORS.get(type(node.operator))
            if operator is None:
                return Unknown(provenance(left) | provenance(right))
            return self.binary(operator, left, right, node, state)
        if isinstance(node, cst.UnaryOperation):
            operand = self.expr(node.expression, state)
            if isinstance(operand, Tensor) and isinstance(node.operator, cst.Minus):
                negated = self.apply_op(ops.OPS["neg"], [operand], node, state, all_inputs=True)
                element_count.after_op(negated, ops.OPS["neg"], [operand], node, method=True)
                return negated
            if isinstance(operand, PlainValue):
                return PlainValue(operand.prov, const=_unary(node.operator, operand.const))
            return _plain_like(operand)
        if isinstance(node, cst.Subscript):
            return self.subscript(node, state)
        if isinstance(node, cst.Tuple | cst.List):
            items = [self.expr(e.value, state) for e in node.elements if isinstance(e, cst.Element)]
            prov = frozenset().union(*(provenance(i) for i in items)) if items else frozenset()
            return Sequence(items, prov)
        if isinstance(node, cst.Comparison):
            operands = [self.expr(node.left, state)]
            operands += [self.expr(target.comparator, state) for target in node.comparisons]
            tensors = [o for o in operands if isinstance(o, Tensor)]
            prov = frozenset().union(*(provenance(o) for o in operands))
            if tensors:
                # a comparison of tensors is a bool tensor: never differentiable
                return Tensor(
                    Tri.NO,
                    Tri.YES,
                    node,
                    prov | {self._frame.seq},
                    cut_site=node,
                    cut_reason="a comparison",
                )
            return PlainValue(prov, const=_compared(node, operands))
        if isinstance(node, cst.IfExp):
            truth = self._known_truth(self.expr(node.test, state))
            if truth is not Tri.UNKNOWN:  # Python evaluates the branch taken, only that one
                return self.expr(node.body if truth is Tri.YES else node.orelse, state)
            body = self.expr(node.body, state)
            orelse = self.expr(node.orelse, state)
            return body if body is orelse else Unknown(provenance(body) | provenance(orelse))
        if isinstance(node, cst.BooleanOperation):
            left = self.expr(node.left, state)
            truth = self._known_truth(left)
            if truth is not Tri.UNKNOWN:
                # ``given or Default()``: the side Python returns, the other never runs
                takes_left = (truth is Tri.YES) == isinstance(node.operator, cst.Or)
                return left if takes_left else self.expr(node.right, state)
            self.expr(node.right, state)
            return Unknown()
        if isinstance(node, cst.Integer):
            return PlainValue(frozenset(), const=literal_int(node))
        if isinstance(node, cst.SimpleString):
            text = string_value(node)
            return PlainValue(frozenset(), const=text if isinstance(text, str) else None)
        if isinstance(node, cst.Float):
            return PlainValue(frozenset(), const=literal_constant(node))
        if isinstance(node, cst.Integer | cst.ConcatenatedString):
            return PlainValue(frozenset())
        if isinstance(node, cst.Dict):
            mapping = Sequence([], frozenset(), keys=[])
            for element in node.elements:
                if not isinstance(element, cst.DictElement):
                    return Unknown()  # ``**other``: keys unknown
                self.expr(element.key, state)
                value = self.expr(element.value, state)
                if isinstance(value, Tensor) and value.clone_site is not None:
                    self.clone_escape(value, "snapshot-dict", element.value, state)
                mapping.store(literal_key(element.key), value)
                mapping.prov = mapping.prov | provenance(value)
            return mapping
        if isinstance(node, cst.Lambda):
            # a value that can be called: followed where it is called (a loss function
            # handed to a training helper), its free names resolved where it was written
            return UserFunction(
                "<lambda>",
                node,
                scope=ChainMap(state.env, state.globals),  # type: ignore[arg-type]
                origin=self.current_origin(),
            )
        if isinstance(node, cst.Yield):
            if self._frame.yields is not None and isinstance(node.value, cst.BaseExpression):
                self._frame.yields.append(self.expr(node.value, state))
            return Unknown()  # what the consumer sends back
        if isinstance(node, cst.ListComp | cst.GeneratorExp | cst.SetComp | cst.DictComp):
            return self.comprehension(node, state)
        if isinstance(node, cst.Await):
            return self.expr(node.expression, state)
        if isinstance(node, cst.FormattedString):
            for part in node.parts:  # ``f"{t.grad}"`` reads what it formats
                if isinstance(part, cst.FormattedStringExpression):
                    self.expr(part.expression, state)
            return PlainValue(frozenset())
        return Unknown()

    def attribute(self, node: cst.Attribute, state: State) -> Value:
        owner = self.expr(node.value, state)
        attr = node.attr.value
        if isinstance(owner, ModuleRef):
            return ModuleRef(f"{owner.qualname}.{attr}")
        if isinstance(owner, ProjectModule):
            found_in_module = owner.attribute(attr)
            if isinstance(found_in_module, DeferredImport):
                found_in_module = self.resolve_deferred(found_in_module, state)
            return found_in_module if found_in_module is not None else Unknown()
        if isinstance(owner, Tensor):
            if attr == "data":
                return Tensor(
                    requires_grad=Tri.NO,
                    is_leaf=Tri.YES,
                    site=node,
                    prov=owner.prov | {self._frame.seq},
                    storage=owner.storage,
                    alias_of=owner,
                    alias_kind="data",
                    cut_site=node,
                    cut_reason="`.data`",
                    label=f"{owner.label}.data" if owner.label else "",
                    elements=owner.elements,
                )
            if attr in {"T", "mT", "H"}:
                return self.view(owner, node, state, "t")
            if attr == "grad":
                grad_events.grad_read(self, owner, node)
            return PlainValue(owner.prov)
        if isinstance(owner, NNModule):
            if not owner.builtin:
                found = state.lookup(f"#{id(owner)}.{attr}")
                if found is not None:
                    return found
                return self._class_attribute(owner, attr, state)
            for param in owner.params:
                if param.label.endswith(f".{attr}"):
                    return param
            return Unknown()
        if isinstance(owner, UserClass):
            return Unknown()
        return Unknown(provenance(owner))

    def _class_attribute(self, instance: NNModule, attr: str, state: State) -> Value:
        """An attribute the instance does not hold: a method of its class (bound to it), a
        property (its getter followed), or a class-level value."""
        cls = self.class_of(instance)
        if cls is None:
            return Unknown()
        found = cls.method(attr)
        if found is not None:
            function = self._method_value(found, cls)
            if has_decorator(found[0], "property"):
                result = self.follow(function, None, [], state, instance)
                return result if result is not None else Unknown()
            if is_staticmethod(found[0]):
                return function
            function.bound_self = cls if is_classmethod(found[0]) else instance
            return function
        for base in cls.mro():
            if attr in base.attributes and not isinstance(base.attributes[attr], Tensor):
                return base.attributes[attr]
        return Unknown()

    def _known_truth(self, value: Value) -> Tri:
        """``bool(value)`` where it is known; an object of a class that defines ``__bool__``
        or ``__len__`` (or whose class is not found) is not known to be true."""
        truth = _truth(value)
        if isinstance(value, NNModule) and truth is Tri.YES:
            cls = self.class_of(value)
            if cls is None or any(cls.method(m) for m in ("__bool__", "__len__")):
                return Tri.UNKNOWN
        return truth

    def subscript(self, node: cst.Subscript, state: State) -> Value:
        owner = self.expr(node.value, state)
        basic = True
        indices: list[Value] = []
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                index = self.expr(element.slice.value, state)
                indices.append(index)
                if (
                    isinstance(index, Tensor)
                    or isinstance(element.slice.value, cst.List)
                    or not (
                        is_literal(element.slice.value) or isinstance(element.slice.value, cst.Name)
                    )
                ):
                    basic = False
        if isinstance(owner, Tensor):
            if basic:
                selected = self.view(owner, node, state, "__getitem__")
            else:
                # the index tensors are integer or bool: they never require grad
                selected = self.apply_op(_INDEX_COPY, [owner], node, state, all_inputs=True)
            shape = owner.elements.shape if owner.elements is not None else None
            kept = shape_flow.indexed(shape, node, indices) if shape is not None else None
            if kept is None and shape is not None and not basic:
                kept = shape_flow.tensor_indexed(shape, node, indices)
            if kept is not None:
                reason = f"shape {kept}" if kept else "a scalar"
                selected.elements = ElementCount(shape=kept, reason=reason)
            return selected
        if (
            isinstance(owner, NNModule)
            and owner.children
            and len(node.slice) == 1
            and isinstance(node.slice[0].slice, cst.Index)
        ):
            if owner.uniform:
                return owner.children[0]  # each layer of ``[Block() for _ in range(n)]``
            position = _known_position(node.slice[0].slice.value, indices[0])
            if position is not None and -len(owner.children) <= position < len(owner.children):
                return owner.children[position]
        if isinstance(owner, Sequence) and owner.items:
            if owner.homogeneous:
                return owner.items[0]
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                index_node = node.slice[0].slice.value
                if owner.keys is not None:
                    key = known_key(index_node, state)
                    found = owner.lookup(key) if key is not None else None
                    return found if found is not None else Unknown(provenance(owner))
                position = _known_position(index_node, indices[0])
                if position is not None and -len(owner.items) <= position < len(owner.items):
                    return owner.items[position]
            if (
                len(node.slice) == 1
                and isinstance(node.slice[0].slice, cst.Slice)
                and owner.keys is None
            ):
                return Sequence(list(owner.items), owner.prov)  # one of these, in some order
        return Unknown(provenance(owner))

    def comprehension(
        self, node: cst.ListComp | cst.GeneratorExp | cst.SetComp | cst.DictComp, state: State
    ) -> Value:
        """``[f(x) for x in xs]``: the element expression evaluated once with each target
        bound to what every element of its iterable is (the result stands for each item).
        ``{k: f(v) for k, v in d.items()}``: a dict that may hold that value under any key,
        how many times is not known."""
        local = State(
            globals=ChainMap(state.env, state.globals),  # type: ignore[arg-type]
            grad_enabled=state.grad_enabled,
            freed=state.freed,
            writes=state.writes,
            data_writes=state.data_writes,
        )
        try:
            return self._comprehension(node, local)
        finally:
            # objects made or changed inside (``ModuleList(Block(c) for c in chans)``) keep
            # their attributes: those live on the heap, not in the comprehension's scope
            for key, value in local.env.items():
                if key.startswith("#"):
                    state.env[key] = value

    def _comprehension(
        self, node: cst.ListComp | cst.GeneratorExp | cst.SetComp | cst.DictComp, local: State
    ) -> Value:
        clause: cst.CompFor | None = node.for_in
        iterable = self.expr(node.for_in.iter, local)  # evaluated once: it may run ops
        if not isinstance(node, cst.DictComp):
            in_turn = self._comprehension_in_turn(node, iterable, local)
            if in_turn is not None:
                return in_turn
        while clause is not None:
            if clause is not node.for_in:
                iterable = self.expr(clause.iter, local)
            self.assign(
                clause.target,
                self._row_or_element(iterable, clause.iter, local),
                local,
                clause.iter,
            )
            for condition in clause.ifs:
                self.expr(condition.test, local)
            clause = clause.inner_for_in
        if isinstance(node, cst.DictComp):
            self.expr(node.key, local)
            value = self.expr(node.value, local)
            return Sequence([value], provenance(value), keys=[None], open_length=True)
        element = self.expr(node.elt, local)
        return Sequence([element], provenance(element), homogeneous=True)

    def _row_or_element(self, iterable: Value, site: cst.BaseExpression, state: State) -> Value:
        """What a comprehension's target is bound to: for a tensor, one row of it (a view,
        as ``t[i]`` is), else the element all items agree on."""
        if isinstance(iterable, Tensor):
            return self.view(iterable, site, state, "__getitem__")
        return self._element_of(iterable)

    def _comprehension_in_turn(
        self,
        node: cst.ListComp | cst.GeneratorExp | cst.SetComp,
        iterable: Value,
        local: State,
    ) -> Sequence | None:
        """``[conv(x[i]) for i, conv in enumerate(convs)]`` over a short container whose
        items differ: the element evaluated for each item, so the list holds each result."""
        clause = node.for_in
        if clause.inner_for_in is not None or clause.ifs or isinstance(node, cst.SetComp):
            return None
        if isinstance(iterable, NNModule) and iterable.kind in {"Sequential", "ModuleList"}:
            iterable = Sequence(list(iterable.children), iterable.prov)
        if not (
            isinstance(iterable, Sequence)
            and not iterable.homogeneous
            and iterable.keys is None
            and 1 < len(iterable.items) <= MAX_ITEMS_IN_TURN
        ):
            return None
        results: list[Value] = []
        for item in iterable.items:
            self.assign(clause.target, item, local, clause.iter)
            results.append(self.expr(node.elt, local))
        return Sequence(results, frozenset().union(*(provenance(r) for r in results)))

    def binary(
        self, operator: str, left: Value, right: Value, node: cst.CSTNode, state: State
    ) -> Value:
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            spec = ops.OPS[ops.OPERATORS[operator]]
            result = self.apply_op(spec, [left, right], node, state, all_inputs=True)
            element_count.after_op(result, spec, [left, right], node, method=False)
            return result
        if (
            operator == "+"
            and isinstance(left, Sequence)
            and isinstance(right, Sequence)
            and not (left.homogeneous or right.homogeneous)
            and left.keys is None
            and right.keys is None
        ):
            return Sequence([*left.items, *right.items], left.prov | right.prov)
        if isinstance(left, PlainValue) and isinstance(right, PlainValue):
            return PlainValue(
                left.prov | right.prov,
                cut_site=left.cut_site or right.cut_site,
                cut_reason=left.cut_reason or right.cut_reason,
                const=_arithmetic(operator, left.const, right.const),
            )
        return Unknown(provenance(left) | provenance(right))


STAR_MODULES = ("torch.nn.functional", "torch.nn", "torch")
"""Library modules whose ``from X import *`` the analysis understands: a name the file does
not bind is then that module's (``randn`` is ``torch.randn``)."""
STAR_KEY = "#star:"
"""State key prefix recording such an import (``#``: carried into functions like the heap)."""


def _star_imported(name: str, state: State) -> Value | None:
    """``randn`` after ``from torch import *`` (``Linear`` after ``from torch.nn import *``):
    a name the file does not bind is the star-imported module's, builtins included where
    the module exports them (torch's ``__all__`` holds ``max``, ``sum``, ``range``...)."""
    for module in STAR_MODULES:
        if state.lookup(STAR_KEY + module) is None:
            continue
        if module == "torch" and hasattr(builtins, name) and name not in TORCH_EXPORTED_BUILTINS:
            continue
        if module != "torch" and hasattr(builtins, name):
            continue
        return ModuleRef(f"{module}.{name}")
    return None


TORCH_EXPORTED_BUILTINS = frozenset(
    {"abs", "all", "any", "bool", "compile", "complex", "float", "int", "max", "min", "pow"}
    | {"range", "round", "sum"}
)
"""Python builtins that ``from torch import *`` replaces (they are in ``torch.__all__``)."""
