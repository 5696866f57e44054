"""Calls into the project's own code, and the dispatch of every call expression.

A call of a function, method, lambda, closure or constructor defined in the project is
followed: its body runs on a state of its own with the arguments bound (see
:mod:`autograd_lint.analysis.binding`), and its effects flow back to the caller.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import replace

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis import binding, optimizer_base
from autograd_lint.analysis.autograd_functions import applied_forward
from autograd_lint.analysis.branch_facts import arm_of_returns
from autograd_lint.analysis.decorators import (
    decorator_grad_mode,
    decorator_site,
    followable,
    is_classmethod,
    is_staticmethod,
)
from autograd_lint.analysis.generators import single_yield
from autograd_lint.analysis.names import keyword
from autograd_lint.analysis.optimizer_base import extends_torch_optimizer
from autograd_lint.analysis.project import ForeignModule
from autograd_lint.analysis.state import State, join, join_values
from autograd_lint.analysis.torch_calls import TorchCalls
from autograd_lint.analysis.trace import ForeignSite
from autograd_lint.analysis.values import (
    ModuleRef,
    NNModule,
    NoGradArm,
    Optimizer,
    PlainValue,
    ProjectModule,
    Sequence,
    SuperRef,
    Tensor,
    Tri,
    Unknown,
    UserClass,
    UserFunction,
    Value,
    provenance,
)


def _join_returned(values: list[Value]) -> Value:
    """The value of a call whose body may end at several ``return`` statements."""
    first = values[0]
    if all(v is first for v in values):
        return first
    if all(isinstance(v, Tensor) for v in values):
        return join_values(list(values))
    return Unknown(frozenset().union(*(provenance(v) for v in values)))


class ProjectCalls(TorchCalls):
    """Dispatches calls; follows the project's own functions and methods."""

    def call(self, node: cst.Call, state: State) -> Value:
        func = node.func
        if isinstance(func, cst.Attribute):
            receiver = self.expr(func.value, state)
            method = func.attr.value
            if isinstance(receiver, Tensor):
                args = [self.expr(a.value, state) for a in node.args]
                direct_data = (
                    isinstance(func.value, cst.Attribute) and func.value.attr.value == "data"
                )
                if direct_data and method in ops.METADATA_INPLACE:
                    return receiver  # reshapes the `.data` alias only: nothing is written
                if direct_data and method in ops.INPLACE_METHODS and receiver.alias_of is not None:
                    self.data_write(
                        receiver.alias_of,
                        node,
                        state,
                        "inplace",
                        method,
                        receiver=func.value,
                        operands=args,
                    )
                    return receiver
                return self.tensor_method(receiver, method, node, args, state)
            if isinstance(receiver, ModuleRef):
                return self.qualified_call(f"{receiver.qualname}.{method}", node, state)
            if isinstance(receiver, ProjectModule):
                callee = self.resolve_deferred(receiver.attribute(method) or Unknown(), state)
                return self._call_value(callee, node, state)
            args = [self.expr(a.value, state) for a in node.args]
            if isinstance(receiver, NNModule) and not receiver.builtin:
                attribute = state.lookup(f"#{id(receiver)}.{method}")
                if isinstance(attribute, NNModule):
                    return self.module_call(attribute, node, args, state)
                if isinstance(attribute, UserFunction):
                    return self.call_function(attribute, node, args, state)
                followed = self.call_method(receiver, method, node, args, state)
                if followed is not None:
                    return followed
            if isinstance(receiver, SuperRef):
                return self.super_call(receiver, method, node, args, state)
            if isinstance(receiver, UserClass):
                forward = applied_forward(receiver, method)
                if forward is not None:
                    self._applied(self._method_value(forward, receiver), node, args, state)
                    return Unknown()
                found = receiver.method(method)
                if found is not None:
                    function = self._method_value(found, receiver)
                    bound = receiver if is_classmethod(found[0]) else None
                    result = self.follow(function, node, args, state, bound)
                    return result if result is not None else Unknown()
            if isinstance(receiver, Optimizer) and method == "step":
                self._optimizer_closure(node, args, state)
            return self.object_method(receiver, method, node, args, state)
        if isinstance(func, cst.Name) and func.value == "super" and len(node.args) in {0, 2}:
            instance, owner = self._frame.self_value, self._frame.owner_class
            if node.args:  # super(Cls, self): the search starts after Cls
                named = self.expr(node.args[0].value, state)
                owner = named if isinstance(named, UserClass) else None
            if instance is not None and owner is not None:
                return SuperRef(instance, owner)
            return Unknown()
        return self._call_value(self.expr(func, state), node, state)

    def _call_value(self, callee: Value, node: cst.Call, state: State) -> Value:
        """A call of what ``node.func`` evaluated to."""
        if isinstance(callee, ModuleRef):
            return self.qualified_call(callee.qualname, node, state)
        args = [self.expr(a.value, state) for a in node.args]
        if isinstance(callee, NNModule):
            return self.module_call(callee, node, args, state)
        if isinstance(callee, UserClass):
            return self._new_instance(callee, state, node, args)
        if isinstance(callee, UserFunction):
            return self.call_function(callee, node, args, state)
        func = node.func
        name = func.value if isinstance(func, cst.Name) else ""
        if name and state.lookup(name) is None:
            return self.builtin_call(name, node, args, state)
        return Unknown()

    def builtin_call(self, name: str, node: cst.Call, args: list[Value], state: State) -> Value:
        """Python's builtins that move values between containers (or make numbers)."""
        first = args[0] if len(args) == 1 and not node.args[0].star else None
        if isinstance(first, NNModule) and first.kind in {"Sequential", "ModuleList"}:
            first = Sequence(list(first.children), first.prov) if first.children else first
        if name in {"list", "tuple", "reversed", "sorted"} and isinstance(first, Sequence):
            items = list(reversed(first.items)) if name == "reversed" else list(first.items)
            return Sequence(items, first.prov, first.homogeneous, open_length=first.open_length)
        if name == "float" and isinstance(first, PlainValue):
            return first
        if name in {"float", "int", "bool"} and isinstance(first, Tensor):
            seq = self._frame.seq
            return PlainValue(first.prov | {seq}, first, node, f"`{name}()`")
        if name == "len":
            counted = _known_length(first)
            if counted is not None and first is not None:
                return PlainValue(provenance(first), const=counted)
        if name == "range":
            counted_range = _constant_range(args, node)
            if counted_range is not None:
                return counted_range
        if name in {"len", "int", "float", "bool", "round", "abs"} and not isinstance(
            first, Tensor
        ):
            return PlainValue(provenance(first) if first is not None else frozenset())
        if name == "dict" and all(a.keyword is not None and not a.star for a in node.args):
            # ``dict(loss_cls=loss)``: a dict of those keys (``dict()``: an empty one)
            keys: list[str | None] = [a.keyword.value for a in node.args if a.keyword]
            return Sequence(
                list(args), frozenset().union(*(provenance(a) for a in args)), keys=keys
            )
        if name == "enumerate" and isinstance(first, Sequence):
            pairs: list[Value] = [
                Sequence(
                    [PlainValue(frozenset(), const=None if first.homogeneous else i), item],
                    provenance(item),
                )
                for i, item in enumerate(first.items)
            ]
            return Sequence(pairs, first.prov, first.homogeneous, run_each=first.run_each)
        zipped = [_zip_operand(a) for a in args] if name == "zip" else []
        if name == "zip" and args and all(isinstance(a, Sequence) for a in zipped):
            sequences = [a for a in zipped if isinstance(a, Sequence)]
            if all(s.homogeneous for s in sequences):
                row: list[Value] = [s.items[0] if s.items else Unknown() for s in sequences]
                return Sequence([Sequence(row, frozenset())], frozenset(), homogeneous=True)
            if any(s.homogeneous for s in sequences):
                # as many rows as the listed items at most (a sequence that stands for any
                # number of items may be shorter, even empty)
                listed = [s for s in sequences if not s.homogeneous]
                if any(s.keys is not None or s.open_length for s in listed):
                    return Unknown()
                prefix: list[Value] = [
                    Sequence(
                        [_zip_item(s, i) for s in sequences],
                        frozenset(),
                    )
                    for i in range(min(len(s.items) for s in listed))
                ]
                prov = frozenset().union(*(s.prov for s in sequences))
                return Sequence(prefix, prov, open_length=True)
            rows: list[Value] = [
                Sequence(list(items), frozenset().union(*(provenance(i) for i in items)))
                for items in zip(*(s.items for s in sequences), strict=False)
            ]
            return Sequence(rows, frozenset().union(*(s.prov for s in sequences)))
        if name == "sum" and isinstance(first, Sequence) and not first.homogeneous:
            tensors = [item for item in first.items if isinstance(item, Tensor)]
            if not tensors or len(tensors) != len(first.items):
                return Unknown(first.prov)
            total: Value = tensors[0]
            for item in tensors[1:]:
                total = self.binary("+", total, item, node, state)
            if isinstance(total, Tensor):
                total.prov = total.prov | first.prov | {self._frame.seq}
            return total
        return Unknown()

    def call_function(
        self, function: UserFunction, node: cst.Call, args: list[Value], state: State
    ) -> Value:
        """A call of a function, lambda or bound method of the project."""
        result = self.follow(function, node, args, state, function.bound_self)
        return result if result is not None else Unknown()

    def call_method(
        self, instance: NNModule, method: str, node: cst.Call, args: list[Value], state: State
    ) -> Value | None:
        """``obj.method(...)`` on an instance of a project class: the method it resolves to,
        followed with ``self`` bound; ``None`` when there is no such method to follow."""
        cls = self.class_of(instance)
        found = cls.method(method) if cls is not None else None
        if cls is None or found is None:
            return None
        if instance.is_module and method == "forward":
            return self.module_call(instance, node, args, state)
        function = self._method_value(found, cls)
        receiver: Value | None = instance
        if is_staticmethod(found[0]):
            receiver = None
        elif is_classmethod(found[0]):
            receiver = cls
        result = self.follow(function, node, args, state, receiver)
        if result is None:
            self._forget_attributes(instance, state)
            return Unknown()
        return result

    def pass_element(self, iterable: Value, state: State) -> Value:
        """What a ``for`` target is bound to on one pass over ``iterable``."""
        if isinstance(iterable, NNModule) and not iterable.builtin:
            item = self.generated(iterable, state)
            if item is not None:
                return item
        return self._element_of(iterable)

    def generated(self, instance: NNModule, state: State) -> Value | None:
        """One pass of ``for item in instance`` where its class's ``__iter__`` is a
        generator with one ``yield`` (:mod:`~autograd_lint.analysis.generators`): the
        generator run anew on ``state``, and what it yielded last (``None``: not such an
        object, or the run is not followed)."""
        cls = self.class_of(instance)
        found = cls.method("__iter__") if cls is not None else None
        if cls is None or found is None or single_yield(found[0]) is None:
            return None
        yielded: list[Value] = []
        if self.follow(self._method_value(found, cls), None, [], state, instance, yielded) is None:
            return None
        return yielded[-1] if yielded else Unknown(instance.prov)

    def super_call(
        self, ref: SuperRef, method: str, node: cst.Call, args: list[Value], state: State
    ) -> Value:
        """``super().method(...)``: the first definition after the running method's class."""
        for base in ref.owner.bases:
            found = base.method(method)
            if found is not None:
                result = self.follow(
                    self._method_value(found, base), node, args, state, ref.instance
                )
                return result if result is not None else Unknown()
        if (
            method == "__init__"
            and isinstance(ref.instance, NNModule)
            and any(extends_torch_optimizer(c) for c in ref.owner.mro())
        ):
            groups = optimizer_base.param_groups(node, args)
            if groups is not None:
                state.env[f"#{id(ref.instance)}.param_groups"] = groups
            return PlainValue(frozenset())
        layer = next((c.builtin_base for c in ref.owner.mro() if c.builtin_base), None)
        if layer is not None and isinstance(ref.instance, NNModule):
            if method == "__init__":
                self.init_layer_part(ref.instance, layer, node, state)
                return PlainValue(frozenset())
            if method == "forward":
                return self.module_call(
                    self.layer_part(ref.instance, layer, state), node, args, state
                )
        return Unknown()

    def _crossing(
        self, function: UserFunction, call: cst.Call | None
    ) -> tuple[ForeignModule | None, ForeignSite | None]:
        """Which module the callee's statements belong to, and the call in the analysed
        file that led there: set on entering another module's code from this file's, kept
        through calls made inside it, dropped when it calls back into this file."""
        frame = self._frame
        origin = function.origin
        if origin is self.origin:  # this module's own code
            return None, self.base_anchor
        if frame.anchor is not None:
            if frame.anchor.module is origin:
                return origin, frame.anchor
            return origin, ForeignSite(frame.anchor.call, frame.anchor.statement, origin)
        return origin, ForeignSite(call if call is not None else self._owner, self._owner, origin)

    def _method_value(
        self, found: tuple[cst.FunctionDef, UserClass], cls: UserClass
    ) -> UserFunction:
        function, owner = found
        return UserFunction(
            f"{cls.name}.{function.name.value}",
            function,
            scope=owner.scope,
            owner=owner,
            origin=owner.origin,
        )

    def _forget_attributes(self, instance: NNModule, state: State) -> None:
        """A method that is not followed may rebind any attribute of the instance."""
        prefix = f"#{id(instance)}."
        for key in [
            k
            for k, v in state.items_with_prefix(prefix)
            if isinstance(v, Tensor) and not v.is_param
        ]:
            state.env[key] = Unknown()

    def _optimizer_closure(self, node: cst.Call, args: list[Value], state: State) -> None:
        """``opt.step(closure)`` of a torch optimizer runs the closure with grad enabled."""
        closure = args[0] if args else None
        named = keyword(node, "closure")
        if named is not None:
            closure = args[node.args.index(named)]
        if isinstance(closure, UserFunction):
            previous = state.grad_enabled
            state.grad_enabled = True
            try:
                self.follow(closure, None, [], state, closure.bound_self)
            finally:
                state.grad_enabled = previous

    def _applied(
        self, forward: UserFunction, node: cst.Call, args: list[Value], state: State
    ) -> None:
        """``Fn.apply(...)`` of a custom autograd Function: its ``forward`` runs with grad
        mode off and ``ctx`` of unknown facts (see :mod:`autograd_functions`)."""
        previous, previous_site = state.grad_enabled, self._grad_off_site
        state.grad_enabled, self._grad_off_site = False, node
        try:
            self.follow(forward, node, args, state, Unknown())
        finally:
            state.grad_enabled, self._grad_off_site = previous, previous_site

    def follow(
        self,
        function: UserFunction,
        call: cst.Call | None,
        args: list[Value],
        state: State,
        receiver: Value | None = None,
        yields: list[Value] | None = None,
        as_forward: bool = False,
    ) -> Value | None:
        """Run the body of a project function for one call, on a state of its own.

        Arguments bind to parameters as Python binds them; the callee resolves its free
        names where it was defined and sees the heap (object attributes) as the caller left
        it; its writes to the heap, the graphs it frees and the in-place writes it makes
        flow back to the caller. Returns what it returns, or ``None`` when the call is not
        followed (too deep, recursive, past the budget, or wrapped by an unknown decorator).
        """
        definition = function.node
        frame = self._frame
        if (
            definition is None
            or frame.depth >= binding.MAX_CALL_DEPTH
            or definition in frame.active
            or self._seq - self.seq_start > self.statement_budget * binding.CALL_BUDGET_SHARE
            or (isinstance(definition, cst.FunctionDef) and not followable(definition))
        ):
            return None
        if (
            function.origin is not None
            and function.origin is not self.origin
            and self.foreign_statements > self.foreign_budget
        ):
            return None
        bound = binding.bind(definition, call, args, receiver)
        scope: Mapping[str, Value] = function.scope if function.scope is not None else {}
        grad_enabled = state.grad_enabled
        if isinstance(definition, cst.FunctionDef):
            grad_enabled = decorator_grad_mode(definition, grad_enabled)
        local = State(
            globals=ChainMap(binding.HeapView(state.env, state.globals), scope),  # type: ignore[arg-type]
            grad_enabled=grad_enabled,
            freed=state.freed,
            writes=state.writes,
            data_writes=state.data_writes,
        )
        for name, value in bound.names:
            local.env[name] = value
            if receiver is None or value is not receiver:
                inputs = self.trace.inputs.setdefault(frame.seq, {})
                by_call = self.trace.input_calls.setdefault(frame.seq, {})
                if name in inputs and inputs[name] is not value and by_call[name] is not call:
                    # ``D(fake) - D(real)``: one statement binds ``x`` twice; a witness
                    # written with one binding of it would replay another program
                    self.trace.rebound_inputs.add(frame.seq)
                inputs[name] = value
                by_call[name] = call
        if bound.literals:
            self.trace.input_literals.setdefault(frame.seq, {}).update(bound.literals)
        self_value = receiver if isinstance(receiver, NNModule) else frame.self_value
        returns: list[tuple[Value, State, int, NoGradArm | None]] = []
        foreign, anchor = self._crossing(function, call)
        self._frame = replace(
            frame,
            foreign=foreign,
            anchor=anchor,
            scope=function.name,
            self_value=self_value,
            depth=frame.depth + 1,
            owner_class=function.owner,
            returns=returns,
            yields=yields,
            active=(*frame.active, definition),
            call_seq=frame.seq,
            in_forward=frame.in_forward or as_forward or _is_forward(definition, function.owner),
        )
        previous_site = self._grad_off_site
        if isinstance(definition, cst.FunctionDef) and decorator_site(definition) is not None:
            self._grad_off_site = decorator_site(definition)
        try:
            if isinstance(definition, cst.Lambda):
                returns.append((self.expr(definition.body, local), local, 0, None))
                end = local
                end.dead = True
            elif isinstance(definition.body, cst.SimpleStatementSuite):
                # ``def f(x): return g(x)`` on one line: its statements belong to the def
                outer, self._owner = self._owner, definition
                try:
                    end = self.block(definition.body.body, local)
                finally:
                    self._owner = outer
            else:
                end = self.block(definition.body.body, local)
        finally:
            self._frame = frame
            self._grad_off_site = previous_site
        exits = [exit_state for _, exit_state, _, _ in returns]
        if not end.dead:
            exits.append(end)
        values = [value for value, _, _, _ in returns]
        arms = [arm for _, _, _, arm in returns]
        if call is not None and len(returns) == 1 and end.dead and returns[0][2]:
            self.trace.returned_by[call] = returns[0][2]
        if not end.dead:
            values.append(PlainValue(frozenset()))
            arms.append(None)
        if not exits:
            return Unknown()  # every path raises
        final = join(exits) if len(exits) > 1 else exits[0]
        for key, value in final.env.items():
            if key.startswith("#"):
                state.env[key] = value
        _flags_flow_back(bound.names, final, state)
        state.freed, state.writes, state.data_writes = final.freed, final.writes, final.data_writes
        result = _join_returned(values)
        arm = arm_of_returns(values, arms) if any(arms) else None
        if arm is not None and isinstance(result, Tensor | Unknown):
            if isinstance(result, Unknown):  # another return is not known to be a tensor
                result = Tensor(Tri.UNKNOWN, Tri.UNKNOWN, arm.site, result.prov)
            if result.requires_grad is Tri.UNKNOWN:
                result.no_grad_when = arm
        # what a call returns is made by the calling statement too (the witness needs it)
        for item in [result, *(result.items if isinstance(result, Sequence) else ())]:
            if isinstance(item, Tensor | Sequence):
                item.prov = item.prov | {frame.seq}
        return result


def _flags_flow_back(names: list[tuple[str, Value]], final: State, state: State) -> None:
    """A tensor argument whose flags the callee changed on every path (``inp.requires_grad
    = True``, ``requires_grad_()``) is the changed tensor in the caller too: the caller's
    names for it are rebound. Only the same tensor counts (its site and storage), never a
    view or another tensor the callee bound to the parameter's name."""
    for name, before in names:
        after = final.env.get(name)
        if not (
            isinstance(before, Tensor)
            and isinstance(after, Tensor)
            and after is not before
            and after.site is before.site
            and after.storage == before.storage
        ):
            continue
        for key, value in list(state.env.items()):
            if value is before:
                state.env[key] = after
        for key, value in state.globals.items():
            if value is before and key not in state.env:
                state.env[key] = after


def _is_forward(definition: cst.FunctionDef | cst.Lambda, owner: UserClass | None) -> bool:
    return (
        isinstance(definition, cst.FunctionDef)
        and definition.name.value == "forward"
        and owner is not None
        and owner.is_module
    )


MAX_CONSTANT_RANGE = 8
"""``range(n)`` with a known ``n`` up to this is run item by item (``i`` known each time)."""


def _known_length(value: Value | None) -> int | None:
    """``len(xs)`` of a list or tuple whose items are all known (not a representative)."""
    if (
        isinstance(value, Sequence)
        and not value.homogeneous
        and value.keys is None
        and not value.open_length
    ):
        return len(value.items)
    if isinstance(value, NNModule) and value.kind in {"Sequential", "ModuleList"}:
        return len(value.children) if value.children else None
    return None


def _constant_range(args: list[Value], node: cst.Call) -> Sequence | None:
    """``range(2, 0, -1)`` with known integers: its items, each a known number, so that a
    loop over it indexes lists exactly (``laterals[i - 1]``); none for an empty one
    (``range(1, 1)``), so that a loop over it is known not to run."""
    if any(a.star or a.keyword is not None for a in node.args) or not 1 <= len(args) <= 3:
        return None
    bounds = [a.const if isinstance(a, PlainValue) else None for a in args]
    if not all(type(b) is int for b in bounds):
        return None
    numbers = [int(b) for b in bounds if b is not None]
    if len(numbers) == 3 and numbers[2] == 0:
        return None
    items = range(*numbers)
    try:
        count = len(items)
    except OverflowError:  # ``range(0xfff...)``: longer than any loop anyone runs through
        return None
    if count == 0:
        return Sequence([], frozenset(), run_each=True, fixed=True)
    if not 2 <= count <= MAX_CONSTANT_RANGE:
        return None
    values: list[Value] = [PlainValue(frozenset(), const=i) for i in items]
    return Sequence(values, frozenset(), run_each=True, fixed=True)


def _zip_operand(value: Value) -> Value:
    """What ``zip`` walks in ``value``: a ``Sequential`` / ``ModuleList`` its layers (each
    one of a comprehension-built list stands for every layer), a tensor its rows (a row is
    not described: what it is stays unknown)."""
    if (
        isinstance(value, NNModule)
        and value.kind in {"Sequential", "ModuleList"}
        and value.children
    ):
        if value.uniform:
            return Sequence([value.children[0]], value.prov, homogeneous=True)
        return Sequence(list(value.children), value.prov)
    if isinstance(value, Tensor):
        return Sequence([Unknown(value.prov)], value.prov, homogeneous=True)
    return value


def _zip_item(sequence: Sequence, index: int) -> Value:
    """The item of ``sequence`` in row ``index`` of a ``zip`` (the representative of one
    whose items stand for every element)."""
    position = 0 if sequence.homogeneous else index
    return sequence.items[position] if position < len(sequence.items) else Unknown()
