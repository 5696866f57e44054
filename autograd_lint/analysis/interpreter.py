"""Flow-sensitive abstract interpretation of Python source, one scope at a time.

Statements run in order over an abstract :class:`~autograd_lint.analysis.state.State`;
branches run on copies and join; loop bodies run twice so that what one iteration leaves to
the next (a graph, a hidden state, a freed buffer) is seen. Calls of registry ops
(:mod:`autograd_lint.ops`) compute tensor facts; calls the analyzer does not know give
``Unknown`` — never a guess. Instantiating a module class defined in the file runs its
``__init__`` and calling the instance runs its ``forward``, so state kept on ``self``
is followed across methods.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Sequence as Seq
from dataclasses import dataclass
from typing import Any

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis.names import (
    dotted,
    is_literal,
    keyword,
    kwarg_tri,
    literal_bool,
    positional,
)
from autograd_lint.analysis.parse import parse
from autograd_lint.analysis.state import State, join
from autograd_lint.analysis.trace import (
    Backward,
    CloneEscape,
    DataWrite,
    InplaceWrite,
    StaleSave,
    TensorFromTensor,
    Trace,
)
from autograd_lint.analysis.values import (
    GraphNode,
    ModuleRef,
    NNModule,
    Optimizer,
    PlainValue,
    SavedRef,
    Sequence,
    Tensor,
    Tri,
    Unknown,
    UserClass,
    UserFunction,
    Value,
    any_yes,
    fresh_id,
    provenance,
)

LOOP_PASSES = 2
"""Loop bodies are interpreted at least this many times in a row..."""
MAX_LOOP_PASSES = 4
"""...and at most this many, stopping once a pass leaves the facts as the previous one did."""
MAX_INLINE_DEPTH = 3
"""How deep ``Net()`` / ``net(x)`` calls are followed into ``__init__`` / ``forward``."""
MAX_STATEMENTS = 200_000
"""A budget of executed statements per file: beyond it the rest is skipped (never a hang)."""

_GRAD_APIS = {
    "torch.autograd.backward": "autograd.backward",
    "torch.autograd.grad": "autograd.grad",
}
_LOSS_TARGET_OPS = {spec.name for spec in ops.OPS.values() if spec.kind == "loss"}
_BINARY_OPERATORS: dict[type[cst.BaseBinaryOp], str] = {
    cst.Add: "+",
    cst.Subtract: "-",
    cst.Multiply: "*",
    cst.Divide: "/",
    cst.MatrixMultiply: "@",
    cst.Power: "**",
}
_AUGMENTED: dict[type[cst.BaseAugOp], str] = {
    cst.AddAssign: "+=",
    cst.SubtractAssign: "-=",
    cst.MultiplyAssign: "*=",
    cst.DivideAssign: "/=",
    cst.PowerAssign: "**=",
}


class _Budget(Exception):
    """Raised when a file exhausts its statement budget."""


@dataclass
class _Frame:
    """What the statement being executed belongs to."""

    scope: str
    statement: cst.CSTNode
    seq: int
    loop_depth: int
    self_value: NNModule | None
    depth: int


def analyze(source: str) -> Trace:
    """Parse ``source`` and interpret every scope; raises ParseFailure on invalid Python."""
    module = parse(source)
    interpreter = Interpreter(module, source)
    interpreter.run()
    return interpreter.trace


class Interpreter:
    def __init__(self, module: cst.Module, source: str) -> None:
        self.module = module
        self.trace = Trace(module=module, source=source)
        self.classes: dict[str, UserClass] = {}
        self.class_nodes: dict[str, cst.ClassDef] = {}
        self.functions: list[tuple[cst.FunctionDef, UserClass | None]] = []
        self._seq = 0
        self._frame = _Frame("<module>", module, 0, 0, None, 0)
        self._grad_off_site: cst.CSTNode | None = None
        self._loops: list[tuple[cst.For | cst.While, int]] = []
        self._owner: cst.CSTNode = module
        """The statement whose expressions are being evaluated (positions are found through it)."""

    # ------------------------------------------------------------------ scopes

    def run(self) -> None:
        state = State()
        try:
            self.block(self.module.body, state)
            globals_env: dict[str, Value] = {
                k: v
                for k, v in state.env.items()
                if k.startswith("#")
                or isinstance(v, ModuleRef | UserClass | UserFunction | NNModule | Optimizer)
            }
            for function, owner in self.functions:
                self.run_function(function, owner, globals_env)
        except _Budget:
            pass

    def run_function(
        self, function: cst.FunctionDef, owner: UserClass | None, globals_env: dict[str, Value]
    ) -> None:
        state = State(globals=globals_env)
        self_value: NNModule | None = None
        params = function.params
        names = [p.name.value for p in (*params.posonly_params, *params.params)]
        if owner is not None and names:
            self_value = (
                NNModule(owner.name, False, [], frozenset(), function) if owner.is_module else None
            )
            if self_value is not None:
                for attr, value in owner.attributes.items():
                    state.env[f"#{id(self_value)}.{attr}"] = value
                state.env[names[0]] = self_value
            names = names[1:]
        for name in names:
            state.env[name] = Unknown()
        state.grad_enabled = _decorator_grad_mode(function, state.grad_enabled)
        self._grad_off_site = _decorator_site(function)
        for decorator in function.decorators:
            self.trace.owner[decorator.decorator] = function
        saved = self._frame
        self._frame = _Frame(function.name.value, function, 0, 0, self_value, 0)
        try:
            self.block(
                function.body.body if isinstance(function.body, cst.IndentedBlock) else [], state
            )
        finally:
            self._frame = saved

    # -------------------------------------------------------------- statements

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
        try:
            return self._statement(node, state)
        finally:
            self._owner = previous

    def _statement(self, node: cst.CSTNode, state: State) -> State:
        if isinstance(node, cst.SimpleStatementLine):
            self._seq += 1
            if self._seq > MAX_STATEMENTS:
                raise _Budget
            seq = self._seq
            self.trace.statements[seq] = (node, state.grad_enabled)
            saved = self._frame
            self._frame = _Frame(
                saved.scope, node, seq, saved.loop_depth, saved.self_value, saved.depth
            )
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
            state.env[node.name.value] = UserFunction(node.name.value)
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
            self.expr(node.value, state)
        elif isinstance(node, cst.Return):
            if node.value is not None:
                returned = self.expr(node.value, state)
                state.env["<return>"] = returned
                self.trace.bindings.setdefault(self._frame.seq, {})[
                    f"returned_{self._frame.seq}"
                ] = returned
            state.dead = True
        elif isinstance(node, cst.Raise | cst.Break | cst.Continue):
            state.dead = True
        elif isinstance(node, cst.Import):
            for alias in node.names:
                full = dotted(alias.name) or ""
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    state.env[alias.asname.name.value] = ModuleRef(full)
                else:
                    head = full.split(".")[0]
                    state.env[head] = ModuleRef(head)
        elif isinstance(node, cst.ImportFrom):
            base = dotted(node.module) if node.module is not None else None
            if base and not node.relative and not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    name = dotted(alias.name) or ""
                    local = name
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                        local = alias.asname.name.value
                    state.env[local] = ModuleRef(f"{base}.{name}")
        elif isinstance(node, cst.Del) and isinstance(node.target, cst.Name):
            state.env.pop(node.target.value, None)

    def if_statement(self, node: cst.If, state: State) -> State:
        self.expr(node.test, state)
        then_state = self.block(node.body.body, state.copy())
        if node.orelse is None:
            else_state = state
        elif isinstance(node.orelse, cst.If):
            else_state = self.if_statement(node.orelse, state.copy())
        else:
            else_state = self.block(node.orelse.body.body, state.copy())
        return join([then_state, else_state])

    def loop(self, node: cst.For | cst.While, state: State) -> State:
        entry = state
        surely_runs = False
        if isinstance(node, cst.For):
            iterable = self.expr(node.iter, state)
            surely_runs = _range_is_nonempty(node.iter)
        else:
            self.expr(node.test, state)
            surely_runs = isinstance(node.test, cst.Name) and node.test.value == "True"
        current = state.copy()
        outcomes: list[State] = []
        self._loops.append((node, fresh_id()))
        saved = self._frame
        self._frame = _Frame(
            saved.scope,
            saved.statement,
            saved.seq,
            saved.loop_depth + 1,
            saved.self_value,
            saved.depth,
        )
        try:
            previous: tuple[object, ...] | None = None
            for passes in range(1, MAX_LOOP_PASSES + 1):
                if isinstance(node, cst.For):
                    self._owner = node
                    self.assign(node.target, self._element_of(iterable), current, node.iter)
                body_end = self.block(node.body.body, current.copy())
                outcomes.append(body_end)
                if body_end.dead:
                    # a break / return / continue ended this pass; keep going from what
                    # reached the end of the body on another path, if anything did
                    body_end = body_end.copy()
                    body_end.dead = False
                current = body_end
                signature = _signature(current)
                if passes >= LOOP_PASSES and signature == previous:
                    break  # the facts the rules read no longer change from pass to pass
                previous = signature
        finally:
            self._frame = saved
            self._loops.pop()
        if isinstance(node, cst.While):
            self._owner = node
            self.expr(node.test, current)
        exits = outcomes[-1:] if surely_runs else [entry, *outcomes[-1:]]
        result = join([s for s in exits]) if len(exits) > 1 else exits[0].copy()
        result.dead = False if not surely_runs else result.dead and False
        if node.orelse is not None:
            result = self.block(node.orelse.body.body, result)
        return result

    def with_statement(self, node: cst.With, state: State) -> State:
        previous = state.grad_enabled
        previous_site = self._grad_off_site
        for item in node.items:
            mode = _grad_mode_of(item.item, self, state)
            if mode is not _NOT_A_MODE:
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
        is_module = any(self._is_module_base(b, state) for b in bases)
        cls = UserClass(node.name.value, is_module, {})
        self.classes[cls.name] = cls
        self.class_nodes[cls.name] = node
        state.env[cls.name] = cls
        if self._frame.depth == 0:
            for statement in node.body.body:
                if isinstance(statement, cst.FunctionDef):
                    self.functions.append((statement, cls))
        if is_module:
            init = _method(node, "__init__")
            if init is not None:
                instance = self._instantiate(cls, state, frozenset(), node)
                cls.attributes = {
                    k.split(".", 1)[1]: v
                    for k, v in instance.items()
                    if isinstance(v, NNModule) or (isinstance(v, Tensor) and v.is_param)
                }

    def _is_module_base(self, base: str, state: State) -> bool:
        if not base:
            return False
        head, _, rest = base.partition(".")
        resolved = state.lookup(head)
        if isinstance(resolved, ModuleRef):
            full = f"{resolved.qualname}.{rest}" if rest else resolved.qualname
            return full in {"torch.nn.Module", "torch.nn.modules.module.Module"}
        if isinstance(resolved, UserClass):
            return resolved.is_module
        return False

    # ------------------------------------------------------------- assignment

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
            items: list[Value] = []
            if isinstance(value, Sequence) and not value.homogeneous:
                items = value.items
            for i, element in enumerate(target.elements):
                if isinstance(element, cst.Element):
                    item = items[i] if i < len(items) else Unknown(provenance(value))
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
                self.data_write(owner, target, state, "assign", value_expr=source)
            elif attr == "requires_grad" and owner.is_leaf is Tri.YES:
                owner.requires_grad = literal_bool(source)
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
                    owner.alias_of, target, state, "setitem", "__setitem__", receiver=target.value
                )
                return
            self.inplace_write(owner, target, state, "setitem", "__setitem__")
        elif (
            isinstance(value, Tensor)
            and value.clone_site is not None
            and isinstance(owner, Unknown | PlainValue)
        ):
            self.clone_escape(value, "snapshot-dict", target, state)

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
                    target_value.alias_of, node, state, "augassign", method, receiver=node.target
                )
                return
            self.inplace_write(target_value, node.target, state, "augassign", method)
            return
        if operator is not None:
            combined = self.binary(operator[:-1], target_value, value, node, state)
            self.assign(node.target, combined, state, node.value)

    # -------------------------------------------------------------- writes

    def data_write(
        self,
        tensor: Tensor,
        site: cst.CSTNode,
        state: State,
        how: str,
        method: str = "",
        value_expr: cst.BaseExpression | None = None,
        receiver: cst.BaseExpression | None = None,
        via_name: bool = False,
    ) -> None:
        """A write through ``tensor.data``: storage changes, the version counter does not."""
        event = DataWrite(
            site=site,
            **self._where(),
            target=tensor,
            how=how,  # type: ignore[arg-type]
            method=method,
            value=value_expr,
            receiver=receiver,
            via_name=via_name,
        )
        self.trace.events.append(event)
        state.data_writes.setdefault(tensor.storage, []).append(event)

    def _where(self) -> dict[str, Any]:
        """Where an event happens: the statement being executed, its number and scope."""
        frame = self._frame
        return {"seq": frame.seq, "statement": frame.statement, "scope": frame.scope}

    def inplace_write(
        self, tensor: Tensor, site: cst.CSTNode, state: State, how: str, method: str
    ) -> None:
        base = tensor.data_base()
        if base is not None:
            self.data_write(base, site, state, how, method, via_name=True)
            self.trace.events[-1].prov = tensor.prov  # type: ignore[attr-defined]
            return
        event = InplaceWrite(
            site=site,
            **self._where(),
            target=tensor,
            how=how,  # type: ignore[arg-type]
            method=method,
        )
        self.trace.events.append(event)
        state.writes.setdefault(tensor.vc, []).append(event)
        grad_on = state.grad_enabled is True
        if (
            tensor.requires_grad is Tri.YES
            and tensor.is_leaf is Tri.NO
            and grad_on
            and tensor.node is not None
        ):
            tensor.node = GraphNode(method or "inplace", site, (tensor.node,))
            tensor.prov = tensor.prov | {self._frame.seq}

    def _stepped_snapshot(self, graph: GraphNode, site: cst.CSTNode, state: State) -> None:
        """A backward through a clone whose source an optimizer step has since updated (on
        every path): the snapshot of the parameter passes gradient into the parameter."""
        clone = graph.result
        if clone is None or clone.clone_of is None:
            return
        # the clone's node was numbered when the clone was made, on the events' counter
        if any(
            write.how == "optimizer" and write.order > graph.id
            for write in state.writes.get(clone.clone_of.vc, ())
        ):
            self.clone_escape(clone, "snapshot-step", site, state)

    def clone_escape(self, tensor: Tensor, how: str, site: cst.CSTNode, state: State) -> None:
        self.trace.events.append(
            CloneEscape(
                site=site,
                **self._where(),
                tensor=tensor,
                how=how,  # type: ignore[arg-type]
            )
        )

    # ------------------------------------------------------------- expressions

    def expr(self, node: cst.BaseExpression, state: State) -> Value:
        self.trace.owner[node] = self._owner
        if isinstance(node, cst.Name):
            found = state.lookup(node.value)
            return found if found is not None else Unknown()
        if isinstance(node, cst.Attribute):
            return self.attribute(node, state)
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
                return self.apply_op(ops.OPS["neg"], [operand], node, state)
            return _plain_like(operand)
        if isinstance(node, cst.Subscript):
            return self.subscript(node, state)
        if isinstance(node, cst.Tuple | cst.List):
            items = [self.expr(e.value, state) for e in node.elements if isinstance(e, cst.Element)]
            prov = frozenset().union(*(provenance(i) for i in items)) if items else frozenset()
            return Sequence(items, prov)
        if isinstance(node, cst.Comparison):
            self.expr(node.left, state)
            for target in node.comparisons:
                self.expr(target.comparator, state)
            return PlainValue(frozenset())
        if isinstance(node, cst.IfExp):
            self.expr(node.test, state)
            body = self.expr(node.body, state)
            orelse = self.expr(node.orelse, state)
            return body if body is orelse else Unknown(provenance(body) | provenance(orelse))
        if isinstance(node, cst.BooleanOperation):
            self.expr(node.left, state)
            self.expr(node.right, state)
            return Unknown()
        if isinstance(node, cst.Integer | cst.Float | cst.SimpleString | cst.ConcatenatedString):
            return PlainValue(frozenset())
        if isinstance(node, cst.Dict):
            for element in node.elements:
                if isinstance(element, cst.DictElement):
                    value = self.expr(element.value, state)
                    if isinstance(value, Tensor) and value.clone_site is not None:
                        self.clone_escape(value, "snapshot-dict", element.value, state)
            return Unknown()
        if isinstance(node, cst.Await):
            return self.expr(node.expression, state)
        return Unknown()

    def attribute(self, node: cst.Attribute, state: State) -> Value:
        owner = self.expr(node.value, state)
        attr = node.attr.value
        if isinstance(owner, ModuleRef):
            return ModuleRef(f"{owner.qualname}.{attr}")
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
                )
            if attr in {"T", "mT", "H"}:
                return self.view(owner, node, state, "t")
            return PlainValue(owner.prov)
        if isinstance(owner, NNModule):
            if not owner.builtin:
                found = state.lookup(f"#{id(owner)}.{attr}")
                return found if found is not None else Unknown()
            for param in owner.params:
                if param.label.endswith(f".{attr}"):
                    return param
            return Unknown()
        if isinstance(owner, UserClass):
            return Unknown()
        return Unknown(provenance(owner))

    def subscript(self, node: cst.Subscript, state: State) -> Value:
        owner = self.expr(node.value, state)
        basic = True
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                index = self.expr(element.slice.value, state)
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
                return self.view(owner, node, state, "__getitem__")
            return self.apply_op(_INDEX_COPY, [owner], node, state)
        if isinstance(owner, Sequence) and owner.items:
            if owner.homogeneous:
                return owner.items[0]
            if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
                index_node = node.slice[0].slice.value
                if isinstance(index_node, cst.Integer):
                    position = int(index_node.value, 0)
                    if -len(owner.items) <= position < len(owner.items):
                        return owner.items[position]
        return Unknown(provenance(owner))

    def binary(
        self, operator: str, left: Value, right: Value, node: cst.CSTNode, state: State
    ) -> Value:
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            spec = ops.OPS[ops.OPERATORS[operator]]
            return self.apply_op(spec, [left, right], node, state)
        if isinstance(left, PlainValue) and isinstance(right, PlainValue):
            return PlainValue(
                left.prov | right.prov,
                cut_site=left.cut_site or right.cut_site,
                cut_reason=left.cut_reason or right.cut_reason,
            )
        return Unknown(provenance(left) | provenance(right))

    # ------------------------------------------------------------------ calls

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
                if direct_data and method in ops.INPLACE_METHODS and receiver.alias_of is not None:
                    self.data_write(
                        receiver.alias_of, node, state, "inplace", method, receiver=func.value
                    )
                    return receiver
                return self.tensor_method(receiver, method, node, args, state)
            if isinstance(receiver, ModuleRef):
                return self.qualified_call(f"{receiver.qualname}.{method}", node, state)
            args = [self.expr(a.value, state) for a in node.args]
            if isinstance(receiver, NNModule) and not receiver.builtin:
                attribute = state.lookup(f"#{id(receiver)}.{method}")
                if isinstance(attribute, NNModule):
                    return self.module_call(attribute, node, args, state)
            return self.object_method(receiver, method, node, args, state)
        callee = self.expr(func, state)
        if isinstance(callee, ModuleRef):
            return self.qualified_call(callee.qualname, node, state)
        args = [self.expr(a.value, state) for a in node.args]
        if isinstance(callee, NNModule):
            return self.module_call(callee, node, args, state)
        if isinstance(callee, UserClass):
            if callee.is_module:
                return self._new_instance(callee, state, node)
            return Unknown()
        name = func.value if isinstance(func, cst.Name) else ""
        if name in {"list", "tuple"} and len(args) == 1 and isinstance(args[0], Sequence):
            return args[0]
        if name == "float" and len(args) == 1 and isinstance(args[0], PlainValue):
            return args[0]
        return Unknown()

    def qualified_call(self, qualname: str, node: cst.Call, state: State) -> Value:
        """A call of a dotted name rooted at an import: ``torch.sigmoid(x)``, ``nn.Linear(...)``."""
        args = [self.expr(a.value, state) for a in node.args]
        prefix, _, name = qualname.rpartition(".")
        if qualname in _GRAD_APIS:
            outputs = args[0] if args else Unknown()
            return self.backward(outputs, node, state, _GRAD_APIS[qualname])
        if prefix == "torch" and name in ops.CREATION_FUNCTIONS:
            return self.create(name, node, args, state)
        if prefix in {"torch.nn", "torch.nn.parameter"} and name == "Parameter":
            source = args[0] if args else Unknown()
            rg = kwarg_tri(node, "requires_grad", Tri.YES)
            param = Tensor(rg, Tri.YES, node, provenance(source) | {self._frame.seq}, is_param=True)
            return param
        if prefix in {"torch.nn", "torch.nn.modules"} and name in ops.MODULES:
            return self.builtin_module(ops.MODULES[name], node, state)
        if prefix == "torch.optim" and name in ops.OPTIMIZERS:
            params = args[0] if args else Unknown()
            known = (
                [p for p in params.items if isinstance(p, Tensor)]
                if isinstance(params, Sequence)
                else None
            )
            return Optimizer(known, provenance(params) | {self._frame.seq})
        spec = None
        if prefix == "torch":
            spec = ops.function_op(name)
        elif prefix in {"torch.nn.functional", "torch.functional"}:
            spec = ops.functional_op(name) or ops.function_op(name)
        if spec is not None:
            tensors = [args[i] for i in range(min(len(args), len(spec.inputs)))]
            if spec.name == "linear":
                tensors = [self._arg(node, args, i, n) for i, n in enumerate(spec.inputs)]
            if spec.kind == "loss":
                return self.loss(spec, node, args, state)
            return self.apply_op(spec, tensors, node, state)
        if (
            prefix == "torch"
            and name in ops.INPLACE_METHODS
            and args
            and isinstance(args[0], Tensor)
        ):
            return self.tensor_method(args[0], name, node, args[1:], state)
        if (prefix == "torch" and name == "stack") or name == "cat":
            return Unknown()
        return Unknown()

    def _arg(self, node: cst.Call, args: list[Value], index: int, name: str) -> Value:
        arg = keyword(node, name)
        if arg is not None:
            return args[node.args.index(arg)]
        plain = [v for a, v in zip(node.args, args, strict=False) if a.keyword is None]
        return plain[index] if index < len(plain) else PlainValue(frozenset())

    def create(self, name: str, node: cst.Call, args: list[Value], state: State) -> Value:
        requires_grad = kwarg_tri(node, "requires_grad", Tri.NO)
        prov = frozenset({self._frame.seq}).union(*(provenance(a) for a in args))
        tensor = Tensor(requires_grad, Tri.YES, node, prov)
        if requires_grad is Tri.NO:
            first = args[0] if args else None
            if name in {"tensor", "as_tensor"} and isinstance(first, Tensor):
                self.trace.events.append(
                    TensorFromTensor(
                        site=node,
                        **self._where(),
                        tensor=first,
                        argument=node.args[0].value,
                    )
                )
                tensor.cut_site, tensor.cut_reason = node, f"`torch.{name}(...)` of a tensor"
            elif isinstance(first, PlainValue) and first.cut_site is not None:
                tensor.cut_site, tensor.cut_reason = first.cut_site, first.cut_reason
            elif isinstance(first, Sequence) and any(
                isinstance(i, PlainValue) and i.cut_site for i in first.items
            ):
                cut = next(i for i in first.items if isinstance(i, PlainValue) and i.cut_site)
                assert isinstance(cut, PlainValue)
                tensor.cut_site, tensor.cut_reason = cut.cut_site, cut.cut_reason
            elif isinstance(first, Unknown) and name in {"tensor", "as_tensor", "from_numpy"}:
                tensor.requires_grad = Tri.NO
        return tensor

    def tensor_method(
        self, tensor: Tensor, method: str, node: cst.Call, args: list[Value], state: State
    ) -> Value:
        seq = self._frame.seq
        if method == "backward":
            return self.backward(tensor, node, state, "method")
        if method == "detach":
            return Tensor(
                requires_grad=Tri.NO,
                is_leaf=Tri.YES,
                site=node,
                prov=tensor.prov | {seq},
                storage=tensor.storage,
                vc=tensor.vc,
                alias_of=tensor,
                alias_kind="detach",
                cut_site=node,
                cut_reason="`.detach()`",
            )
        if method == "detach_":
            tensor.requires_grad, tensor.is_leaf, tensor.node = Tri.NO, Tri.YES, None
            tensor.cut_site, tensor.cut_reason = node, "`.detach_()`"
            return tensor
        if method == "requires_grad_":
            flag = literal_bool(node.args[0].value) if node.args else Tri.YES
            if tensor.is_leaf is Tri.YES:
                tensor.requires_grad = flag if flag is not Tri.UNKNOWN else Tri.UNKNOWN
            return tensor
        if method in {"item", "tolist", "numpy"}:
            if method == "numpy" and tensor.clone_site is not None:
                self.clone_escape(tensor, "numpy", node, state)
            return PlainValue(tensor.prov | {seq}, tensor, node, f"`.{method}()`")
        if method in ops.NON_TENSOR_METHODS:
            return PlainValue(tensor.prov)
        if method in ops.INPLACE_METHODS:
            self.inplace_write(tensor, node, state, "inplace", method)
            return tensor
        if method == "retain_grad" or method == "register_hook":
            return Unknown()
        if method in {"to", "cpu", "cuda", "float", "double", "half", "type"}:
            return tensor
        spec = ops.method_op(method)
        if spec is None:
            return Unknown(tensor.prov)
        if spec.kind == "view":
            return self.view(tensor, node, state, method)
        inputs: list[Value] = [tensor]
        if len(spec.inputs) > 1:
            inputs += args[: len(spec.inputs) - 1]
        return self.apply_op(spec, inputs, node, state)

    def object_method(
        self, receiver: Value, method: str, node: cst.Call, args: list[Value], state: State
    ) -> Value:
        if isinstance(receiver, Optimizer):
            if method == "step" and receiver.params:
                for param in receiver.params:
                    self.inplace_write(param, node, state, "optimizer", "step")
            return Unknown()
        if isinstance(receiver, NNModule):
            if method in {"parameters", "buffers"}:
                params = self._module_params(receiver, state)
                if params:
                    return Sequence(list(params), receiver.prov | {self._frame.seq})
                return Sequence(
                    [self._representative_param(receiver)], receiver.prov, homogeneous=True
                )
            if method == "forward" and not receiver.builtin:
                return self.module_call(receiver, node, args, state)
            if not receiver.builtin and method not in {
                "train",
                "eval",
                "to",
                "cuda",
                "cpu",
                "zero_grad",
            }:
                # an unknown method may rebind any attribute of the instance
                prefix = f"#{id(receiver)}."
                for key in [
                    k
                    for k, v in state.items_with_prefix(prefix)
                    if isinstance(v, Tensor) and not v.is_param
                ]:
                    state.env[key] = Unknown()
            return Unknown() if method not in {"to", "cuda", "cpu", "train", "eval"} else receiver
        if isinstance(receiver, Sequence | Unknown):
            if (
                method == "append"
                and args
                and isinstance(args[0], Tensor)
                and args[0].clone_site is not None
            ):
                self.clone_escape(args[0], "snapshot-list", node, state)
            if isinstance(receiver, Sequence) and method == "append" and args:
                receiver.items.append(args[0])
        return Unknown()

    def _module_params(self, module: NNModule, state: State) -> list[Tensor]:
        if module.builtin:
            return list(module.params)
        prefix = f"#{id(module)}."
        found: list[Tensor] = []
        for _, value in state.items_with_prefix(prefix):
            if isinstance(value, Tensor) and value.is_param:
                found.append(value)
            elif isinstance(value, NNModule) and value is not module:
                found.extend(self._module_params(value, state))
        return found

    def _representative_param(self, module: NNModule) -> Tensor:
        return Tensor(Tri.YES, Tri.YES, module.site, module.prov, is_param=True, label="param")

    def builtin_module(self, spec: ops.ModuleSpec, node: cst.Call, state: State) -> NNModule:
        prov = frozenset({self._frame.seq})
        module = NNModule(
            spec.name,
            True,
            [],
            prov,
            node,
            saves_input=spec.saves_input,
            has_parameters=spec.has_parameters,
        )
        if spec.has_parameters:
            module.params.append(
                Tensor(Tri.YES, Tri.YES, node, prov, is_param=True, label=".weight")
            )
            bias = keyword(node, "bias")
            if (
                spec.name != "Embedding"
                and literal_bool(bias.value if bias else None) is not Tri.NO
            ):
                module.params.append(
                    Tensor(Tri.YES, Tri.YES, node, prov, is_param=True, label=".bias")
                )
        return module

    def module_call(
        self, module: NNModule, node: cst.Call, args: list[Value], state: State
    ) -> Value:
        if module.builtin:
            spec = ops.MODULES.get(module.kind)
            op = ops.OPS.get(spec.op) if spec is not None and spec.op else None
            if op is not None and op.kind == "loss":
                return self.loss(op, node, args, state, module.prov)
            if op is not None and op.name == "linear":
                inputs: list[Value] = [args[0] if args else Unknown(), *module.params]
                return self.apply_op(op, inputs, node, state, extra_prov=module.prov)
            if op is not None:
                return self.apply_op(op, args[:1], node, state, extra_prov=module.prov)
            return self.opaque_module_call(module, node, args, state)
        cls = self.classes.get(module.kind)
        forward = _method(self.class_nodes[cls.name], "forward") if cls is not None else None
        if forward is not None and self._frame.depth < MAX_INLINE_DEPTH:
            result = self.inline(forward, module, args, state)
            if isinstance(result, Tensor):
                result.prov = result.prov | module.prov | {self._frame.seq}
                return result
        return self.opaque_module_call(module, node, args, state)

    def opaque_module_call(
        self, module: NNModule, node: cst.Call, args: list[Value], state: State
    ) -> Value:
        inputs = [a for a in args if isinstance(a, Tensor)]
        prov = module.prov.union(*(a.prov for a in inputs)) | {self._frame.seq}
        if state.grad_enabled is False:
            cut_site, cut_reason = self._grad_off(node)
            return Tensor(Tri.NO, Tri.YES, node, prov, cut_site=cut_site, cut_reason=cut_reason)
        if state.grad_enabled is None:
            return Tensor(Tri.UNKNOWN, Tri.UNKNOWN, node, prov)
        rg = (
            Tri.YES
            if module.has_parameters
            else any_yes([a.requires_grad for a in inputs] or [Tri.UNKNOWN])
        )
        parents = tuple(a.node for a in inputs if a.node is not None)
        graph = GraphNode(module.kind, node, parents)
        if module.saves_input:
            for tensor in inputs:
                graph.saved.append(SavedRef(tensor, self._frame.seq, node, "input"))
        result = Tensor(
            rg,
            Tri.NO if rg is Tri.YES else Tri.UNKNOWN,
            node,
            prov,
            node=graph if rg is Tri.YES else None,
        )
        return result

    def _new_instance(self, cls: UserClass, state: State, node: cst.CSTNode) -> NNModule:
        instance = NNModule(cls.name, False, [], frozenset({self._frame.seq}), node)
        init = _method(self.class_nodes[cls.name], "__init__")
        if init is not None and self._frame.depth < MAX_INLINE_DEPTH:
            self.inline(init, instance, [], state)
        return instance

    def _instantiate(
        self, cls: UserClass, state: State, prov: frozenset[int], node: cst.CSTNode
    ) -> dict[str, Value]:
        scratch = State(globals=ChainMap(state.env, state.globals))  # type: ignore[arg-type]
        instance = self._new_instance(cls, scratch, node)
        prefix = f"#{id(instance)}."
        return {k[len(prefix) - 1 :]: v for k, v in scratch.items_with_prefix(prefix)}

    def inline(
        self, function: cst.FunctionDef, instance: NNModule, args: list[Value], state: State
    ) -> Value:
        """Run a method body on the caller's state with ``self`` bound to ``instance``."""
        params = [p.name.value for p in (*function.params.posonly_params, *function.params.params)]
        local = State(
            globals=ChainMap(state.env, state.globals),  # type: ignore[arg-type]
            grad_enabled=_decorator_grad_mode(function, state.grad_enabled),
            freed=state.freed,
            writes=state.writes,
            data_writes=state.data_writes,
        )
        if params:
            local.env[params[0]] = instance
        for i, name in enumerate(params[1:]):
            local.env[name] = args[i] if i < len(args) else Unknown()
            self.trace.inputs.setdefault(self._frame.seq, {})[name] = local.env[name]
        saved = self._frame
        self._frame = _Frame(
            f"{instance.kind}.{function.name.value}",
            saved.statement,
            saved.seq,
            saved.loop_depth,
            instance,
            saved.depth + 1,
        )
        try:
            body = function.body.body if isinstance(function.body, cst.IndentedBlock) else []
            end = self.block(body, local)
        finally:
            self._frame = saved
        prefix = "#"
        for key, value in end.env.items():
            if key.startswith(prefix):
                state.env[key] = value
        state.freed, state.writes, state.data_writes = end.freed, end.writes, end.data_writes
        result = end.env.get("<return>", Unknown())
        return result

    # ---------------------------------------------------------------- ops

    def view(self, tensor: Tensor, node: cst.CSTNode, state: State, name: str) -> Tensor:
        spec = ops.OPS.get(name, ops.OPS["view"])
        result = self.apply_op(spec, [tensor], node, state)
        result.storage, result.vc = tensor.storage, tensor.vc
        result.alias_of, result.alias_kind = tensor, "view"
        if tensor.alias_kind == "data" or tensor.data_base() is not None:
            result.alias_kind = "view"
        return result

    def apply_op(
        self,
        spec: ops.OpSpec,
        inputs: list[Value],
        node: cst.CSTNode,
        state: State,
        extra_prov: frozenset[int] = frozenset(),
    ) -> Tensor:
        seq = self._frame.seq
        prov = extra_prov.union(*(provenance(v) for v in inputs)) | {seq}
        tensors = [v for v in inputs if isinstance(v, Tensor)]
        rgs = [v.requires_grad if isinstance(v, Tensor) else _plain_rg(v) for v in inputs]
        if spec.kind in {"nondiff", "detach"}:
            return Tensor(Tri.NO, Tri.YES, node, prov, cut_site=node, cut_reason=f"`{spec.name}`")
        if state.grad_enabled is False:
            rg = Tri.NO
        elif state.grad_enabled is None:
            rg = Tri.UNKNOWN if any_yes(rgs) is not Tri.NO else Tri.NO
        else:
            rg = any_yes(rgs)
        result = Tensor(
            rg, Tri.NO if rg is Tri.YES else (Tri.YES if rg is Tri.NO else Tri.UNKNOWN), node, prov
        )
        if rg is Tri.NO:
            if state.grad_enabled is False:
                result.cut_site, result.cut_reason = self._grad_off(node)
            else:
                cut = next((t for t in tensors if t.cut_site is not None), None)
                if cut is not None:
                    result.cut_site, result.cut_reason = cut.cut_site, cut.cut_reason
        if rg is Tri.YES:
            parents = tuple(t.node for t in tensors if t.node is not None)
            graph = GraphNode(spec.name, node, parents, saves_internal=spec.saves_internal)
            known = all(r is not Tri.UNKNOWN for r in rgs)
            if known:
                flags = tuple(r is Tri.YES for r in rgs)
                for index in spec.saved_inputs(flags):
                    value = inputs[index] if index < len(inputs) else None
                    if isinstance(value, Tensor):
                        graph.saved.append(SavedRef(value, seq, node, spec.inputs[index]))
            if spec.saves_output:
                graph.saved.append(SavedRef(result, seq, node, "output"))
            result.node = graph
            graph.result = result
            if spec.kind == "copy" and any(t.requires_grad is Tri.YES for t in tensors):
                result.clone_site = node
                result.clone_of = tensors[0] if tensors else None
        return result

    def loss(
        self,
        spec: ops.OpSpec,
        node: cst.Call,
        args: list[Value],
        state: State,
        extra: frozenset[int] = frozenset(),
    ) -> Tensor:
        inputs = [self._arg(node, args, 0, "input"), self._arg(node, args, 1, "target")]
        target = inputs[1]
        if isinstance(target, Tensor) and target.clone_site is not None:
            self.clone_escape(
                target, "loss-target", node.args[1].value if len(node.args) > 1 else node, state
            )
        return self.apply_op(spec, inputs, node, state, extra_prov=extra)

    def _grad_off(self, node: cst.CSTNode) -> tuple[cst.CSTNode, str]:
        """Where grad mode was turned off, for messages."""
        site = self._grad_off_site
        if site is None:
            return node, "a function decorated to run without grad"
        return site, f"`{self.module.code_for_node(site)}`"

    def _element_of(self, iterable: Value) -> Value:
        """What a ``for`` target is bound to: an element all items agree on, else unknown."""
        if isinstance(iterable, Sequence) and iterable.items:
            first = iterable.items[0]
            if iterable.homogeneous or all(_same_facts(first, i) for i in iterable.items):
                return first
        return Unknown(provenance(iterable))

    # ------------------------------------------------------------- backward

    def backward(self, value: Value, node: cst.Call, state: State, api: str) -> Value:
        default_retain = kwarg_tri(node, "create_graph", Tri.NO)
        retain = kwarg_tri(node, "retain_graph", default_retain)
        if keyword(node, "retain_graph") is None and default_retain is Tri.UNKNOWN:
            retain = Tri.UNKNOWN
        tensor = value if isinstance(value, Tensor) else None
        if (
            isinstance(value, Sequence)
            and len(value.items) == 1
            and isinstance(value.items[0], Tensor)
        ):
            tensor = value.items[0]
        requires_grad = tensor.requires_grad if tensor is not None else Tri.UNKNOWN
        event = Backward(
            site=node,
            **self._where(),
            tensor=tensor if tensor is not None else value,
            api=api,  # type: ignore[arg-type]
            retain_graph=retain,
            requires_grad=requires_grad,
            call=node,
            in_loop=self._frame.loop_depth > 0,
            loop=self._loops[-1][0] if self._loops else None,
            loop_started=self._loops[-1][1] if self._loops else 0,
        )
        self.trace.events.append(event)
        if tensor is None or tensor.node is None:
            return Unknown() if api == "autograd.grad" else PlainValue(frozenset())
        reachable = tensor.node.reachable()
        for graph in reachable:
            if graph.holds_saved and graph.id in state.freed:
                event.freed.append((graph, state.freed[graph.id]))
        for graph in [] if event.freed else reachable:
            # torch reports a freed graph before it checks versions: one finding, not two
            for saved in graph.saved:
                for write in state.writes.get(saved.tensor.vc, ()):
                    if write.order > saved.order:
                        event.stale.append(StaleSave(graph, saved, write))
                        break
                for data_write in state.data_writes.get(saved.tensor.storage, ()):
                    if data_write.order > saved.order:
                        data_write.silently_stale = True
                        data_write.stale_backward = event
                        event.stale.append(StaleSave(graph, saved, data_write))
                        break
        for graph in reachable:
            self._stepped_snapshot(graph, node, state)
        if retain is Tri.NO:
            for graph in reachable:
                state.freed.setdefault(graph.id, event)
        return Unknown() if api == "autograd.grad" else PlainValue(frozenset())


_INDEX_COPY = ops.OpSpec(name="index", kind="math", backward_node="IndexBackward0")
_NOT_A_MODE = object()


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


def _same_facts(a: Value, b: Value) -> bool:
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return a.requires_grad is b.requires_grad and a.is_param == b.is_param
    return False


def _plain_rg(value: Value) -> Tri:
    """requires_grad contributed by a non-tensor operand (a number never requires grad)."""
    return Tri.NO if isinstance(value, PlainValue) else Tri.UNKNOWN


def _plain_like(value: Value) -> Value:
    return value if isinstance(value, PlainValue) else Unknown(provenance(value))


def _method(node: cst.ClassDef, name: str) -> cst.FunctionDef | None:
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
            return statement
    return None


def _range_is_nonempty(iterable: cst.BaseExpression) -> bool:
    if (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Name)
        and iterable.func.value == "range"
    ):
        args = positional(iterable)
        if len(args) == 1 and isinstance(args[0].value, cst.Integer):
            return int(args[0].value.value, 0) > 0
    return False


def _grad_mode_call(expr: cst.BaseExpression, interpreter: Interpreter, state: State) -> object:
    """The grad mode a ``torch.no_grad()``-like call sets, or ``_NOT_A_MODE``."""
    if not isinstance(expr, cst.Call):
        return _NOT_A_MODE
    callee = interpreter.expr(expr.func, state) if state is not None else None
    qualname = callee.qualname if isinstance(callee, ModuleRef) else None
    if qualname is None:
        return _NOT_A_MODE
    name = qualname.rsplit(".", 1)[-1]
    if not qualname.startswith("torch") or name not in ops.GRAD_MODE_CONTEXTS:
        return _NOT_A_MODE
    mode = ops.GRAD_MODE_CONTEXTS[name]
    if mode is None:
        first = expr.args[0].value if expr.args else None
        flag = literal_bool(first)
        return None if flag is Tri.UNKNOWN else flag is Tri.YES
    if name == "inference_mode" and expr.args:
        flag = literal_bool(expr.args[0].value)
        return None if flag is Tri.UNKNOWN else flag is not Tri.YES
    return mode


def _grad_mode_of(expr: cst.BaseExpression, interpreter: Interpreter, state: State) -> object:
    return _grad_mode_call(expr, interpreter, state)


def _decorator_name(decorator: cst.Decorator) -> str:
    """``torch.no_grad`` for ``@torch.no_grad()`` and for ``@torch.no_grad``."""
    expression = decorator.decorator
    return dotted(expression.func if isinstance(expression, cst.Call) else expression) or ""


def _decorator_site(function: cst.FunctionDef) -> cst.CSTNode | None:
    for decorator in function.decorators:
        name = _decorator_name(decorator)
        if name.rsplit(".", 1)[-1] in ops.GRAD_MODE_CONTEXTS:
            return decorator.decorator
    return None


def _decorator_grad_mode(function: cst.FunctionDef, current: bool | None) -> bool | None:
    """``@torch.no_grad()`` and friends set the grad mode of the whole body."""
    for decorator in function.decorators:
        name = _decorator_name(decorator)
        tail = name.rsplit(".", 1)[-1]
        if tail in ops.GRAD_MODE_CONTEXTS and ("torch" in name or "." not in name):
            mode = ops.GRAD_MODE_CONTEXTS[tail]
            if mode is None:
                call = decorator.decorator
                flag = (
                    literal_bool(call.args[0].value)
                    if isinstance(call, cst.Call) and call.args
                    else Tri.UNKNOWN
                )
                return None if flag is Tri.UNKNOWN else flag is Tri.YES
            return mode
    return current


__all__ = ["Interpreter", "analyze", "fresh_id"]
