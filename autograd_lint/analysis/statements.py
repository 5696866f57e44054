"""Statements: branches, loops (run to a fixed point), ``with`` blocks (grad mode), ``try``,
function and class definitions; assignments are in ``assignments``, what an ``if`` test
decides in ``branch_tests``.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Sequence as Seq

import libcst as cst

from autograd_lint import nn_modules
from autograd_lint.analysis.assignments import Assignments
from autograd_lint.analysis.binding import literal_constant
from autograd_lint.analysis.branch_facts import mark_arms, returned_on_arm
from autograd_lint.analysis.branch_tests import constant_test, isinstance_test
from autograd_lint.analysis.decorators import NOT_A_MODE, grad_mode_of
from autograd_lint.analysis.frame import LOOP_PASSES, MAX_LOOP_PASSES, Budget
from autograd_lint.analysis.loop_counts import never_runs, range_count, range_is_nonempty
from autograd_lint.analysis.names import dotted
from autograd_lint.analysis.state import State, join
from autograd_lint.analysis.trace import DiscardedDetach
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
)


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


MAX_EACH_ITEMS = 64
"""At most this many submodules are visited one by one by a loop over ``modules()``."""


class Statements(Assignments):
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
                arm = returned_on_arm(returned, self._arms, id(self._frame.returns))
                self._frame.returns.append((returned, state.copy(), self._frame.seq, arm))
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
                return self._elif(node.orelse, state)
            return self.block(node.orelse.body.body, state)
        depth = self._uncertain
        call = id(self._frame.returns)
        self._uncertain += 1
        try:
            self._arms.append((node, True, depth, call))
            then_state = self.block(node.body.body, state.copy())
            self._arms[-1] = (node, False, depth, call)
            if node.orelse is None:
                else_state = state
            elif isinstance(node.orelse, cst.If):
                else_state = self._elif(node.orelse, state.copy())
            else:
                else_state = self.block(node.orelse.body.body, state.copy())
        finally:
            self._arms.pop()
            self._uncertain -= 1
        joined = join([then_state, else_state])
        mark_arms(node, state, joined, then_state, else_state, depth)
        return joined

    def _elif(self, node: cst.If, state: State) -> State:
        """An ``elif``: its test's positions are found through its own header."""
        previous, self._owner = self._owner, node
        try:
            return self.if_statement(node, state)
        finally:
            self._owner = previous

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
        once = isinstance(node, cst.For) and (
            _holds_one(iterable) or range_count(node.iter, state) == 1
        )
        surely_runs = surely_runs or once
        self._loops.append((node, fresh_id()))
        if once:
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
                if once:
                    break  # one iteration: no pass sees what an earlier one did
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


def _holds_one(iterable: object) -> bool:
    """A list or tuple known to hold exactly one item (not one standing for many)."""
    return (
        isinstance(iterable, Sequence)
        and len(iterable.items) == 1
        and iterable.keys is None
        and not (iterable.homogeneous or iterable.open_length or iterable.run_each)
    )
