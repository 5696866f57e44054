"""Statements: assignments, branches, loops (run to a fixed point), ``with`` blocks (grad
mode), ``try``, function and class definitions.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Sequence as Seq

import libcst as cst

from autograd_lint import nn_modules, ops
from autograd_lint.analysis import grad_events
from autograd_lint.analysis.binding import literal_constant
from autograd_lint.analysis.decorators import NOT_A_MODE, grad_mode_of
from autograd_lint.analysis.expressions import known_key, literal_int
from autograd_lint.analysis.frame import LOOP_PASSES, MAX_LOOP_PASSES, Budget
from autograd_lint.analysis.imports import ProjectImports
from autograd_lint.analysis.loop_counts import never_runs, range_is_nonempty
from autograd_lint.analysis.names import dotted, literal_bool
from autograd_lint.analysis.state import State, join
from autograd_lint.analysis.trace import DiscardedDetach
from autograd_lint.analysis.unpacking import unpacked
from autograd_lint.analysis.values import (
    DeferredImport,
    ModuleRef,
    NNModule,
    PlainValue,
    Sequence,
    Tensor,
    Tri,
    Unknown,
    UserClass,
    UserFunction,
    Value,
    fresh_id,
    provenance,
)

_AUGMENTED: dict[type[cst.BaseAugOp], str] = {
    cst.AddAssign: "+=",
    cst.SubtractAssign: "-=",
    cst.MultiplyAssign: "*=",
    cst.DivideAssign: "/=",
    cst.PowerAssign: "**=",
}


def _signature(state: State) -> tuple[object, ...]:
    """The facts a loop pass can change, in a form two passes can be compared by."""
    facts: list[object] = []
    for name, value in sorted(state.env.items()):
        if isinstance(value, Tensor):
            facts.append((name, value.requires_grad, value.is_leaf, value.node is not None))
        else:
            facts.append((name, type(value).__name__))
    facts.append(state.grad_enabled)
    return tuple(facts)


def constant_test(test: cst.BaseExpression, *, imported: bool = False) -> Tri:
    """Whether an ``if`` test is decided before the program runs: ``True`` / ``False``
    literals, and ``__name__ == "__main__"``: true in the file checked (as the script it is),
    false in a module it imports (whose main block does not run at import)."""
    literal = literal_bool(test)
    if literal is not Tri.UNKNOWN:
        return literal
    if (
        isinstance(test, cst.Comparison)
        and isinstance(test.left, cst.Name)
        and test.left.value == "__name__"
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, cst.Equal)
        and isinstance(test.comparisons[0].comparator, cst.SimpleString)
        and test.comparisons[0].comparator.evaluated_value == "__main__"
    ):
        return Tri.NO if imported else Tri.YES
    return Tri.UNKNOWN


def _class_constants(node: cst.ClassDef) -> dict[str, Value]:
    """Literal class-level settings (``finetune = "ep049.pth"``, ``use_amp = True``): read
    through an instance that does not shadow them, they decide ``if cfg.finetune:``."""
    constants: dict[str, Value] = {}
    for line in node.body.body:
        if not isinstance(line, cst.SimpleStatementLine):
            continue
        for small in line.body:
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
            ):
                const = literal_constant(small.value)
                if const is not None:
                    constants[small.targets[0].target.value] = PlainValue(frozenset(), const=const)
    return constants


_CONTAINER_TYPES = frozenset({"tuple", "list", "dict"})
MAX_EACH_ITEMS = 64
"""At most this many submodules are visited one by one by a loop over ``modules()``."""


def _module_isinstance(module: NNModule, kind: str, state: State) -> Tri:
    """``isinstance(m, nn.ReLU)`` for a built-in layer: decided by its class. The registry's
    classes subclass one another only as ``nn_modules.BASES`` says (a test checks this
    against torch), so a layer of another registry class is surely not an instance;
    ``nn.Module`` always matches."""
    if module.builtin and kind in _CONTAINER_TYPES and state.lookup(kind) is None:
        return Tri.NO  # no torch layer (``ModuleList`` and ``ModuleDict`` included) is one
    if not module.builtin or not module.known_kind:
        return Tri.UNKNOWN
    head, _, rest = kind.partition(".")
    resolved = state.lookup(head)
    if not isinstance(resolved, ModuleRef):
        return Tri.UNKNOWN
    full = f"{resolved.qualname}.{rest}" if rest else resolved.qualname
    if not full.startswith("torch.nn."):
        return Tri.UNKNOWN
    name = full.rsplit(".", 1)[-1]
    if name in ("Module", module.kind) or nn_modules.BASES.get(module.kind) == name:
        return Tri.YES
    return Tri.NO if name in nn_modules.MODULES else Tri.UNKNOWN


def isinstance_test(test: cst.BaseExpression, state: State) -> Tri:
    """``isinstance(t, tuple)`` (or ``not ...``) for a name bound to a tensor: a tensor is no
    tuple, list or dict, and it is a ``torch.Tensor``. Anything else stays unknown."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = isinstance_test(test.expression, state)
        return inner if inner is Tri.UNKNOWN else Tri.of(inner is Tri.NO)
    if isinstance(test, cst.BooleanOperation):
        left = isinstance_test(test.left, state)
        right = isinstance_test(test.right, state)
        if isinstance(test.operator, cst.Or):
            if Tri.YES in (left, right):
                return Tri.YES
            return Tri.NO if left is Tri.NO and right is Tri.NO else Tri.UNKNOWN
        if Tri.NO in (left, right):
            return Tri.NO
        return Tri.YES if left is Tri.YES and right is Tri.YES else Tri.UNKNOWN
    if not (
        isinstance(test, cst.Call)
        and isinstance(test.func, cst.Name)
        and test.func.value == "isinstance"
        and len(test.args) == 2
        and isinstance(test.args[0].value, cst.Name)
    ):
        return Tri.UNKNOWN
    value = state.lookup(test.args[0].value.value)
    kinds = test.args[1].value
    if isinstance(kinds, cst.Tuple):
        # ``isinstance(x, (tuple, list))``: true if any is, false if all are not
        each = [
            _isinstance_of(value, dotted(e.value), state)
            for e in kinds.elements
            if isinstance(e, cst.Element)
        ]
        if Tri.YES in each:
            return Tri.YES
        return Tri.NO if each and all(t is Tri.NO for t in each) else Tri.UNKNOWN
    return _isinstance_of(value, dotted(kinds), state)


def _no_container_base(cls: UserClass, state: State, depth: int = 0) -> bool:
    """Whether no class ``cls`` derives from is a tuple, list or dict: each base is
    ``object``, a ``torch.nn`` class (none of which is), or a project class of which the
    same holds. A base the analysis cannot name or resolve leaves it open."""
    if cls.node is None or depth > 8:
        return False
    project = {base.name: base for base in cls.bases}
    for argument in cls.node.bases:
        name = dotted(argument.value)
        if argument.keyword is not None:
            continue  # ``metaclass=ABCMeta``: no base
        if name is None:
            return False
        if name == "object":
            continue
        head, _, rest = name.partition(".")
        resolved = cls.scope.get(head) if cls.scope is not None else state.lookup(head)
        if isinstance(resolved, ModuleRef):
            full = f"{resolved.qualname}.{rest}" if rest else resolved.qualname
            if full.startswith("torch.nn."):
                continue
            return False
        base = project.get(name.rsplit(".", 1)[-1])
        if base is None or not _no_container_base(base, state, depth + 1):
            return False
    return True


def _isinstance_of(value: Value | None, kind: str | None, state: State) -> Tri:
    """``isinstance(value, kind)`` for one class named ``kind``."""
    if (
        isinstance(value, NNModule)
        and not value.builtin
        and kind in _CONTAINER_TYPES
        and state.lookup(kind) is None
    ):
        # an instance of a project class whose bases are only ``object``, ``torch.nn``
        # classes and project classes of the same kind is no tuple, list or dict
        cls = value.cls or state.lookup(value.kind)
        if isinstance(cls, UserClass) and _no_container_base(cls, state):
            return Tri.NO
        return Tri.UNKNOWN
    if isinstance(value, NNModule) and kind is not None:
        return _module_isinstance(value, kind, state)
    if not isinstance(value, Tensor) or kind is None:
        return Tri.UNKNOWN
    if kind in _CONTAINER_TYPES and state.lookup(kind) is None:
        return Tri.NO
    head, _, rest = kind.partition(".")
    resolved = state.lookup(head)
    if not isinstance(resolved, ModuleRef):
        return Tri.UNKNOWN
    full = f"{resolved.qualname}.{rest}" if rest else resolved.qualname
    return Tri.YES if full == "torch.Tensor" else Tri.UNKNOWN


class Statements(ProjectImports):
    """Executes statements over the abstract state."""

    def block(
        self, statements: Seq[cst.BaseStatement | cst.BaseSmallStatement], state: State
    ) -> State:
        for statement in statements:
            if state.dead:
                break
            state = self.statement(statement, state)
        return state

    def statement(self, node: cst.CSTNode, state: State) -> State:
        previous = self._owner
        if isinstance(node, cst.BaseSmallStatement):
            # ``if x: a = 1; b = 2`` on one line: run it as a line of its own; positions are
            # found through the compound statement that holds it
            node = cst.SimpleStatementLine(body=[node])
        else:
            self._owner = node
            if self._frame.anchor is not None:
                self.trace.foreign.setdefault(node, self._frame.anchor)
        try:
            return self._statement(node, state)
        finally:
            self._owner = previous

    def _statement(self, node: cst.CSTNode, state: State) -> State:
        if isinstance(node, cst.SimpleStatementLine):
            self._seq += 1
            if self._seq - self.seq_start > self.statement_budget:
                if self.origin is None:
                    self.trace.stopped_at = node
                raise Budget
            seq = self._seq
            if self._frame.foreign is not None:
                self.foreign_statements += 1
            self.trace.statements[seq] = (node, state.grad_enabled)
            if self._frame.call_seq:
                self.trace.called_from[seq] = self._frame.call_seq
            if self._frame.self_value is not None:
                self.trace.selves[seq] = self._frame.self_value
            saved = self._frame
            self._frame = saved.moved(statement=node, seq=seq)
            try:
                for small in node.body:
                    if state.dead:
                        break
                    self.small_statement(small, state)
            finally:
                self._frame = saved
                if self._seq != seq:
                    self.trace.finished_after[seq] = self._seq
            return state
        if isinstance(node, cst.If):
            return self.if_statement(node, state)
        if isinstance(node, cst.For | cst.While):
            return self.loop(node, state)
        if isinstance(node, cst.With):
            return self.with_statement(node, state)
        if isinstance(node, cst.Try | cst.TryStar):
            return self.try_statement(node, state)
        if isinstance(node, cst.Match):  # cases are branches, joined like ``if``
            self.expr(node.subject, state)
            cases = [self.block(c.body.body, state.copy()) for c in node.cases]
            return join([*cases, state])
        if isinstance(node, cst.FunctionDef):
            state.env[node.name.value] = UserFunction(
                node.name.value,
                node,
                scope=ChainMap(state.env, state.globals),  # type: ignore[arg-type]
                origin=self.current_origin(),
            )
            if self._frame.depth == 0:
                self.functions.append((node, None))
            return state
        if isinstance(node, cst.ClassDef):
            self.class_def(node, state)
            return state
        return state

    def small_statement(self, node: cst.BaseSmallStatement, state: State) -> None:
        self.trace.owner[node] = self._owner
        if isinstance(node, cst.Assign):
            value = self.expr(node.value, state)
            for target in node.targets:
                self.assign(target.target, value, state, node.value)
        elif isinstance(node, cst.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.expr(node.value, state), state, node.value)
        elif isinstance(node, cst.AugAssign):
            self.aug_assign(node, state)
        elif isinstance(node, cst.Expr):
            self._discarded(node.value, self.expr(node.value, state))
        elif isinstance(node, cst.Return):
            returned: Value = PlainValue(frozenset())
            if node.value is not None:
                returned = self.expr(node.value, state)
                self.trace.bindings.setdefault(self._frame.seq, {})[
                    f"returned_{self._frame.seq}"
                ] = returned
            if self._frame.returns is not None:
                self._frame.returns.append((returned, state.copy(), self._frame.seq))
            state.dead = True
        elif isinstance(node, cst.Raise | cst.Break | cst.Continue):
            state.dead = True
        elif isinstance(node, cst.Import | cst.ImportFrom):
            self.import_statement(node, state)
        elif isinstance(node, cst.Del) and isinstance(node.target, cst.Name):
            state.env.pop(node.target.value, None)

    def _discarded(self, expression: cst.BaseExpression, value: Value) -> None:
        """``h.detach()`` as a statement: its result is lost and ``h`` keeps its history."""
        source = value.alias_of if isinstance(value, Tensor) else None
        if (
            isinstance(expression, cst.Call)
            and isinstance(expression.func, cst.Attribute)
            and expression.func.attr.value == "detach"
            and not expression.args
            and isinstance(value, Tensor)
            and value.alias_kind == "detach"
            and source is not None
            and source.requires_grad is Tri.YES
        ):
            self.trace.events.append(
                DiscardedDetach(site=expression, **self._where(), tensor=source, call=expression)
            )

    def if_statement(self, node: cst.If, state: State) -> State:
        test = self.expr(node.test, state)
        taken = constant_test(node.test, imported=self.import_depth > 0)
        if taken is Tri.UNKNOWN and isinstance(test, PlainValue) and test.const is not None:
            taken = Tri.of(bool(test.const))  # ``if self.activate:`` with a literal flag
        if taken is Tri.UNKNOWN:
            taken = isinstance_test(node.test, state)
        if taken is Tri.YES:
            return self.block(node.body.body, state)
        if taken is Tri.NO:
            if node.orelse is None:
                return state
            if isinstance(node.orelse, cst.If):
                return self.if_statement(node.orelse, state)
            return self.block(node.orelse.body.body, state)
        self._uncertain += 1
        try:
            then_state = self.block(node.body.body, state.copy())
            if node.orelse is None:
                else_state = state
            elif isinstance(node.orelse, cst.If):
                else_state = self.if_statement(node.orelse, state.copy())
            else:
                else_state = self.block(node.orelse.body.body, state.copy())
        finally:
            self._uncertain -= 1
        return join([then_state, else_state])

    def loop(self, node: cst.For | cst.While, state: State) -> State:
        entry = state
        surely_runs = False
        if isinstance(node, cst.For):
            iterable = self.expr(node.iter, state)
            if never_runs(iterable):
                orelse = node.orelse
                return self.block(orelse.body.body, state) if orelse is not None else state
            if (
                isinstance(iterable, NNModule)
                and iterable.kind in {"Sequential", "ModuleList"}
                and iterable.children
            ):
                iterable = Sequence(list(iterable.children), iterable.prov)
            surely_runs = range_is_nonempty(node.iter, state) or (
                isinstance(iterable, Sequence)
                and bool(iterable.items)
                and (iterable.nonempty or not (iterable.homogeneous or iterable.open_length))
                and iterable.keys is None
            )
        else:
            self.expr(node.test, state)
            surely_runs = isinstance(node.test, cst.Name) and node.test.value == "True"
        current = state.copy()
        outcomes: list[State] = []
        self._loops.append((node, fresh_id()))
        if isinstance(node, cst.For) and _holds_one(iterable):
            self._runs_once.add(self._loops[-1][1])
        saved = self._frame
        self._frame = saved.moved(loop_depth=saved.loop_depth + 1)
        uncertain = 0 if surely_runs else 1
        self._uncertain += uncertain
        standing: list[int] = []
        try:
            previous: tuple[object, ...] | None = None
            elements = self._elements_in_turn(iterable) if isinstance(node, cst.For) else []
            for passes in range(1, max(MAX_LOOP_PASSES, len(elements)) + 1):
                if isinstance(node, cst.For):
                    self._owner = node
                    if elements:
                        element = elements[(passes - 1) % len(elements)]
                    elif isinstance(iterable, Tensor):  # each row, a view as ``t[i]`` is
                        element = self.view(iterable, node.iter, current, "__getitem__")
                    else:
                        element = self.pass_element(iterable, current)
                    self.assign(node.target, element, current, node.iter)
                    self._stand_for(element, iterable)
                    standing.append(id(element))
                body_end = self.block(node.body.body, current.copy())
                outcomes.append(body_end)
                if body_end.dead:
                    # a break / return / continue ended this pass; keep going from what
                    # reached the end of the body on another path, if anything did
                    body_end = body_end.copy()
                    body_end.dead = False
                current = body_end
                signature = _signature(current)
                if passes >= max(LOOP_PASSES, len(elements)) and signature == previous:
                    break  # the facts the rules read no longer change from pass to pass
                previous = signature
        finally:
            self._frame = saved
            self._runs_once.discard(self._loops.pop()[1])
            for key in standing:  # after the loop its variable is one item, not each
                self._stands_for.pop(key, None)
            self._uncertain -= uncertain
        if isinstance(node, cst.While):
            self._owner = node
            self.expr(node.test, current)
        exits = outcomes[-1:] if surely_runs else [entry, *outcomes[-1:]]
        result = join([s for s in exits]) if len(exits) > 1 else exits[0].copy()
        result.dead = False if not surely_runs else result.dead and False
        if node.orelse is not None:
            result = self.block(node.orelse.body.body, result)
        return result

    def _stand_for(self, element: Value, iterable: Value) -> None:
        """Remember which items a loop target bound to one of them stands for."""
        if (
            isinstance(element, Tensor)
            and isinstance(iterable, Sequence)
            and not iterable.homogeneous
            and len(iterable.items) > 1
            and all(isinstance(item, Tensor) for item in iterable.items)
        ):
            self._stands_for[id(element)] = [
                item for item in iterable.items if isinstance(item, Tensor) and item is not element
            ]

    def _elements_in_turn(self, iterable: Value) -> list[Value]:
        """The items of a short container whose items differ (layers of a ``ModuleList``,
        a tuple of losses): the loop body runs with each in turn, in order."""
        if (
            isinstance(iterable, Sequence)
            and not iterable.homogeneous
            and iterable.keys is None
            and 1 < len(iterable.items) <= MAX_LOOP_PASSES
            and isinstance(self._element_of(iterable), Unknown)
        ):
            return list(iterable.items)
        if isinstance(iterable, Sequence) and iterable.run_each:
            return list(iterable.items[:MAX_EACH_ITEMS])
        if (
            isinstance(iterable, Sequence)
            and iterable.keys
            and None not in iterable.keys
            and len(set(iterable.keys)) <= MAX_LOOP_PASSES
        ):
            # a loop over a dict whose keys are all literals runs with each key in turn
            keys = [k for k in dict.fromkeys(iterable.keys) if k is not None]
            return [PlainValue(iterable.prov, const=k) for k in keys]
        return []

    def with_statement(self, node: cst.With, state: State) -> State:
        previous = state.grad_enabled
        previous_site = self._grad_off_site
        for item in node.items:
            mode = grad_mode_of(item.item, self, state)
            if mode is not NOT_A_MODE:
                state.grad_enabled = mode  # type: ignore[assignment]
                self._grad_off_site = item.item
                self.trace.owner[item.item] = node
            else:
                value = self.expr(item.item, state)
                if item.asname is not None:
                    self.assign(item.asname.name, value, state, item.item)
        state = self.block(node.body.body, state)
        state.grad_enabled = previous
        self._grad_off_site = previous_site
        return state

    def try_statement(self, node: cst.Try | cst.TryStar, state: State) -> State:
        self._uncertain += 1
        try:
            return self._try_statement(node, state)
        finally:
            self._uncertain -= 1

    def _try_statement(self, node: cst.Try | cst.TryStar, state: State) -> State:
        before = state.copy()
        body_end = self.block(node.body.body, state)
        if node.orelse is not None:
            body_end = self.block(node.orelse.body.body, body_end)
        outcomes = [body_end]
        for handler in node.handlers:
            outcomes.append(self.block(handler.body.body, join([before.copy(), body_end.copy()])))
        result = join(outcomes)
        if node.finalbody is not None:
            result = self.block(node.finalbody.body.body, result)
        return result

    def class_def(self, node: cst.ClassDef, state: State) -> None:
        bases = [dotted(b.value) or "" for b in node.bases]
        project_bases = [
            base
            for base in (
                self.resolve_deferred(self.expr(b.value, state), state) for b in node.bases
            )
            if isinstance(base, UserClass)
        ]
        is_module = any(self._is_module_base(b, state) for b in bases) or any(
            base.is_module for base in project_bases
        )
        builtin_base = next(
            (layer for layer in (self._nn_layer(b, state) for b in bases) if layer is not None),
            next((b.builtin_base for b in project_bases if b.builtin_base), None),
        )
        cls = UserClass(
            node.name.value,
            is_module,
            {},
            node,
            project_bases,
            scope=ChainMap(state.env, state.globals),  # type: ignore[arg-type]
            builtin_base=builtin_base,
            origin=self.current_origin(),
        )
        cls.attributes.update(_class_constants(node))
        self.classes[cls.name] = cls
        state.env[cls.name] = cls
        if self._frame.depth == 0:
            for statement in node.body.body:
                if isinstance(statement, cst.FunctionDef):
                    self.functions.append((statement, cls))
        if is_module:
            init = cls.method("__init__")
            # the attributes every instance gets serve the methods analysed alone, which
            # an imported module's top level run for an importer does not do
            if init is not None and self.origin is None:
                instance = self._instantiate(cls, state, frozenset(), node)
                cls.attributes = {
                    k.split(".", 1)[1]: v
                    for k, v in instance.items()
                    if isinstance(v, NNModule) or (isinstance(v, Tensor) and v.is_param)
                }
            layer = nn_modules.MODULES.get(builtin_base) if builtin_base else None
            if layer is not None and layer.has_parameters:
                for name in ("weight", "bias"):
                    cls.attributes.setdefault(
                        name,
                        Tensor(
                            Tri.YES, Tri.YES, node, frozenset(), is_param=True, label=f"self.{name}"
                        ),
                    )

    def _nn_layer(self, base: str, state: State) -> str | None:
        """``Conv2d`` for a base written ``nn.Conv2d`` (a layer the registry describes)."""
        head, _, rest = base.partition(".")
        resolved = state.lookup(head) if head else None
        if isinstance(resolved, ModuleRef):
            full = f"{resolved.qualname}.{rest}" if rest else resolved.qualname
            prefix, _, name = full.rpartition(".")
            if prefix in {"torch.nn", "torch.nn.modules"} and name in nn_modules.MODULES:
                return name
        return None

    def _is_module_base(self, base: str, state: State) -> bool:
        if not base:
            return False
        head, _, rest = base.partition(".")
        resolved = state.lookup(head)
        if isinstance(resolved, DeferredImport):
            resolved = self.resolve_deferred(resolved, state)
        if isinstance(resolved, ModuleRef):
            full = f"{resolved.qualname}.{rest}" if rest else resolved.qualname
            if self._nn_layer(base, state) is not None:
                return True
            return full in {"torch.nn.Module", "torch.nn.modules.module.Module"}
        if isinstance(resolved, UserClass):
            return resolved.is_module
        return False

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


def _holds_one(iterable: object) -> bool:
    """A list or tuple known to hold exactly one item (not one standing for many)."""
    return (
        isinstance(iterable, Sequence)
        and len(iterable.items) == 1
        and iterable.keys is None
        and not (iterable.homogeneous or iterable.open_length or iterable.run_each)
    )
