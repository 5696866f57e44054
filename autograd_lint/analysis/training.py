"""Training-loop facts: what each loop iteration accumulates, steps and resets.

The rules about training loops (AG010, AG015, AG016) need to know, for every event, which
loops it runs in and whether it runs in *every* iteration of them, and where one iteration
ends and the next begins (a graph built in an earlier pass of the loop body that is still
held by an accumulator is one the loop keeps alive). This layer sits on top of the
statement interpreter and observes it: it records events, and changes no fact the other
rules read, except that a conversion of a parameter (``p.cuda()``, ``p.to(dtype)``) is a
value of its own, so that a list of such copies can be told from a list of parameters.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence as Seq
from dataclasses import dataclass, replace

import libcst as cst

from autograd_lint.analysis.expressions import known_key
from autograd_lint.analysis.names import dotted
from autograd_lint.analysis.project import ForeignModule, Project
from autograd_lint.analysis.state import State
from autograd_lint.analysis.statements import Statements
from autograd_lint.analysis.trace import (
    Accumulation,
    BackwardCall,
    GradReset,
    LoopNode,
    OptimizerFromCopy,
    OptimizerStep,
)
from autograd_lint.analysis.values import (
    GraphNode,
    ModuleRef,
    NNModule,
    Optimizer,
    PlainValue,
    Sequence,
    Tensor,
    Tri,
    Unknown,
    UserFunction,
    Value,
    fresh_id,
)

_CONVERSIONS = frozenset({"to", "cuda", "float", "double", "half", "bfloat16", "type"})
"""Tensor methods that return a converted copy (or the tensor itself when nothing changes)."""


@dataclass
class _Pass:
    """One active loop: when it started, when its current pass started, and the
    uncertainty level its body runs at (deeper means "not in every iteration")."""

    node: LoopNode
    started: int
    pass_started: int
    level: int
    data: bool = False
    """Its target is bound to tensors that do not require grad (a batch of data), with
    numbers beside them at most: ``for i, (x, y) in enumerate(loader)``."""


@dataclass
class _Copy:
    copy: Tensor
    source: Tensor
    site: cst.CSTNode
    how: str


class TrainingLoops(Statements):
    """Records accumulations, backward calls, optimizer steps, gradient resets and
    optimizers built from copies of parameters."""

    def __init__(
        self,
        module: cst.Module,
        source: str,
        project: Project | None = None,
        path: str | None = None,
        origin: ForeignModule | None = None,
    ) -> None:
        super().__init__(module, source, project, path, origin)
        self._passes: list[_Pass] = []
        self._calls: list[tuple[cst.Call, list[Value], int]] = []
        """Followed calls being run: the call, its argument values, loops active at it."""
        self._copies: dict[int, _Copy] = {}
        self._tainted: dict[int, _Copy] = {}
        """Lists (by identity) an element of which was replaced by a copy of a parameter."""
        self._watched: dict[int, Value | None] = {}
        """Expressions whose value a pending check needs (by node identity)."""
        self._states: list[State] = []
        """The state of each call being evaluated, innermost last."""
        self._appended: dict[int, list[Accumulation]] = {}
        """Accumulations into a list, by the list's identity (emptying it clears them)."""
        self._entry_sums: dict[tuple[int, int], tuple[Tensor, int]] = {}
        """``d[key] += v`` where the key is not known: what the statement (by node identity)
        added into that container (by identity) on its last run, and the run of the
        innermost loop it was added in. Within one run of that loop the keys may differ
        (``for name, value in losses.items()``); from one run to the next the container holds
        it under some key: the same one again (a running sum), or another (kept beside)."""

    # --- where the loop is -----------------------------------------------------------

    def block(
        self, statements: Seq[cst.BaseStatement | cst.BaseSmallStatement], state: State
    ) -> State:
        loop = self._loops[-1] if self._loops else None
        if loop is None or statements is not loop[0].body.body:
            return super().block(statements, state)
        # a pass of a loop body: graphs built before this point belong to earlier passes
        data = isinstance(loop[0], cst.For) and _binds_data(loop[0].target, state)
        current = _Pass(loop[0], loop[1], fresh_id(), self._uncertain, data)
        self._passes.append(current)
        try:
            return super().block(statements, state)
        finally:
            self._passes.remove(current)

    def _where_loops(self) -> dict[str, object]:
        # a loop that runs once repeats nothing: what its body does happens once
        passes = [p for p in self._passes if p.started not in self._runs_once]
        loops = tuple(p.node for p in passes)
        every = tuple(p.node for p in passes if p.level == self._uncertain)
        return {"loops": loops, "every_iteration": every, **self._where()}

    def _earlier_pass(self, node: GraphNode | None) -> int | None:
        """Index of the outermost active loop an earlier pass of which built ``node``."""
        if node is None:
            return None
        for index, active in enumerate(self._passes):
            if active.started in self._runs_once:
                continue  # one iteration has no earlier one
            if active.started < node.id < active.pass_started:
                return index
        return None

    # --- accumulation ----------------------------------------------------------------

    def _note_accumulation(
        self,
        kept: list[Value],
        added: Value | None,
        site: cst.CSTNode,
        argument: cst.BaseExpression | None,
        how: str,
        state: State,
        container: int = 0,
    ) -> None:
        if isinstance(added, Sequence):
            argument = None  # a tensor inside a container: no expression to detach
        added = _tensor_in(added)
        kept = [item for value in kept for item in _flat(value)]
        if not (
            isinstance(added, Tensor)
            and added.requires_grad is Tri.YES
            and added.node is not None
            and state.grad_enabled is True
            and added.clone_site is None  # a clone kept as a snapshot: AG005's
        ):
            return
        found: tuple[int, GraphNode] | None = None
        for value in kept:
            if isinstance(value, Tensor) and value.requires_grad is Tri.YES:
                index = self._earlier_pass(value.node)
                if index is not None and value.node is not None:
                    found = (index, value.node)
                    break
        if found is None:
            return
        index, node = found
        if self._passes[index].started in self._runs_once:
            return  # a loop over one item: there is no earlier iteration to keep
        call, report_argument = self._call_in_loop(index, added)
        event = Accumulation(
            site=call if call is not None else site,
            **self._where_loops(),  # type: ignore[arg-type]
            loop=self._passes[index].node,
            how=how,  # type: ignore[arg-type]
            added=added,
            kept=node,
            call=call,
            argument=report_argument if call is not None else argument,
            container=container,
            data_loop=self._passes[index].data,
            whole=self._frame.depth > 0 or self._frame.scope == "<module>",
        )
        self.trace.events.append(event)
        if container:
            self._appended.setdefault(container, []).append(event)

    def _emptied(self, container: Value | None, whole: bool = False) -> None:
        """Items taken out of a list: what it kept was consumed. ``whole`` (``xs.clear()``,
        ``del xs[:]``) on a path that surely runs: the list is empty again."""
        if isinstance(container, Sequence):
            for event in self._appended.get(id(container), ()):
                event.cleared = True
            if whole and self._uncertain == 0 and not container.homogeneous:
                container.items.clear()

    def _call_in_loop(
        self, index: int, added: Tensor
    ) -> tuple[cst.Call | None, cst.BaseExpression | None]:
        """Where to report an accumulation made inside followed calls: the outermost call
        made inside loop ``index`` when what it accumulates is one of that call's arguments
        (as itself: the argument is the fix's site) or computed from one (a meter's
        ``self.sum += val * n``: no fix); else nowhere but the accumulation itself."""
        for call, args, loops in self._calls:
            if loops > index:
                reachable = {id(n) for n in added.node.reachable()} if added.node else set()
                derived = False
                for arg, value in zip(call.args, args, strict=False):
                    if value is added and arg.keyword is None and not arg.star:
                        return call, arg.value
                    if isinstance(value, Tensor) and value.node is not None:
                        derived = derived or id(value.node) in reachable
                return (call, None) if derived else (None, None)
        return None, None

    def aug_assign(self, node: cst.AugAssign, state: State) -> None:
        super().aug_assign(node, state)
        if _is_grad(node.target):
            self._reset(node)

    def assign(
        self, target: cst.BaseExpression, value: Value, state: State, source: cst.BaseExpression
    ) -> None:
        if isinstance(target, cst.Subscript) and isinstance(value, Tensor):
            copied = self._copies.get(id(value))
            owner = self._peek(target.value, state)
            if copied is not None and isinstance(owner, Sequence):
                self._tainted[id(owner)] = copied
        super().assign(target, value, state, source)
        if _is_grad(target):
            self._reset(target)

    def expr(self, node: cst.BaseExpression, state: State) -> Value:
        value = super().expr(node, state)
        if id(node) in self._watched:
            self._watched[id(node)] = value
        return value

    def small_statement(self, node: cst.BaseSmallStatement, state: State) -> None:
        """``total += loss`` and ``total = total + loss``: the accumulator as it was before
        the statement, and the value added, are compared once the statement has run."""
        added = _added(node) if self._passes else None
        if added is None:
            super().small_statement(node, state)
        else:
            target, expression = added
            old = self._peek(target, state)
            entry = self._unknown_entry(node, target, state) if old is None else None
            run = self._passes[-1].started if self._passes else 0
            if entry is not None:
                earlier = self._entry_sums.get(entry)
                old = earlier[0] if earlier is not None and earlier[1] != run else None
            if isinstance(old, Tensor):
                old = replace(old)  # as it was: an in-place ``+=`` gives it a new graph node
            self._watched[id(expression)] = None
            try:
                super().small_statement(node, state)
            finally:
                value = self._watched.pop(id(expression), None)
            if entry is not None and isinstance(value, Tensor):
                self._entry_sums[entry] = (value, run)
            if isinstance(old, Tensor) and value is not None:
                self._note_accumulation([old], value, node, expression, "add", state)
        if isinstance(node, cst.Del):
            targets = (
                [e.value for e in node.target.elements]
                if isinstance(node.target, cst.Tuple)
                else [node.target]
            )
            if any(_is_grad(t) for t in targets):
                self._reset(node)
            for target in targets:
                if isinstance(target, cst.Subscript):
                    self._emptied(self._peek(target.value, state), _whole(target))

    def _unknown_entry(
        self, node: cst.BaseSmallStatement, target: cst.BaseExpression, state: State
    ) -> tuple[int, int] | None:
        """For ``d[key] += v`` whose entry is not known (a key from a loop over ``items()``,
        a ``defaultdict``, a list of numbers indexed by a loop variable): the statement and
        the container it adds into, if the container is a value bound to a name or chain."""
        if not (isinstance(node, cst.AugAssign) and _keyed(target)):
            return None
        assert isinstance(target, cst.Subscript)
        owner = self._peek(target.value, state)
        if owner is None or isinstance(owner, Tensor | PlainValue):
            return None  # a tensor written in place is AG002/AG007's; numbers hold no graph
        return id(node), id(owner)

    def container_method(
        self, container: Sequence, method: str, node: cst.Call, args: list[Value]
    ) -> Value:
        kept = list(container.items)
        if method in {"clear", "pop", "remove"}:
            self._emptied(container, method == "clear" and not args)
        result = super().container_method(container, method, node, args)
        if method == "append" and self._passes and self._states and len(node.args) == 1:
            self._note_accumulation(
                kept,
                args[0],
                node,
                node.args[0].value,
                "append",
                self._states[-1],
                container=id(container),
            )
        return result

    # --- calls -----------------------------------------------------------------------

    def call(self, node: cst.Call, state: State) -> Value:
        func = node.func
        method = func.attr.value if isinstance(func, cst.Attribute) else ""
        owner = func.value if isinstance(func, cst.Attribute) else None
        if method == "backward" or (method == "" and (dotted(func) or "").endswith(".backward")):
            self.trace.events.append(BackwardCall(site=node, **self._where_loops()))  # type: ignore[arg-type]
        elif method == "zero_grad" or (
            owner is not None and method.endswith("_") and _is_grad(owner)
        ):
            receiver = self._peek(owner, state) if owner is not None else None
            self._reset(node, optimizer=receiver if isinstance(receiver, Optimizer) else None)
        elif method == "step" and owner is not None:
            receiver = self._peek(owner, state)
            if isinstance(receiver, Optimizer):
                self.trace.events.append(
                    OptimizerStep(
                        site=node,
                        **self._where_loops(),  # type: ignore[arg-type]
                        receiver=dotted(owner) or "",
                        optimizer=receiver,
                    )
                )
            elif self._passes:
                self._maybe_reset(node, func, receiver, state)
        elif self._passes and node.args:
            receiver = self._peek(owner, state) if owner is not None else None
            self._maybe_reset(node, func, receiver, state)
        self._states.append(state)
        try:
            result = super().call(node, state)
        finally:
            self._states.pop()
        if isinstance(result, Optimizer):
            built = self._peek(func, state)
            if isinstance(built, ModuleRef) and built.qualname.startswith("torch.optim."):
                first = self._peek(node.args[0].value, state) if node.args else None
                self._optimizer_built(node, result, first)
        return result

    def _maybe_reset(
        self, node: cst.Call, func: cst.BaseExpression, receiver: Value | None, state: State
    ) -> None:
        """A call that is not followed, handed the optimizer or a module, may reset the
        gradients (``scaler.step(optimizer)``, ``utils.clear(model)``)."""
        if self._opaque(func, receiver, state) and any(
            isinstance(self._peek(a.value, state), Optimizer | NNModule) for a in node.args
        ):
            self._reset(node, maybe=True)

    def _opaque(self, func: cst.BaseExpression, receiver: Value | None, state: State) -> bool:
        """A call the analyzer will not follow: a name it cannot resolve, an import from
        outside torch, or a method of an object it knows nothing of."""
        if isinstance(func, cst.Attribute):
            if isinstance(receiver, ModuleRef):
                return not receiver.qualname.startswith("torch")
            return receiver is None or not isinstance(
                receiver, Tensor | NNModule | Optimizer | Sequence | PlainValue
            )
        callee = self._peek(func, state)
        if isinstance(callee, ModuleRef):
            return not callee.qualname.startswith("torch")
        return callee is None and isinstance(func, cst.Name) and not hasattr(builtins, func.value)

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
        if call is not None:
            self._calls.append((call, args, len(self._passes)))
        try:
            result = super().follow(function, call, args, state, receiver, yields, as_forward)
        finally:
            if call is not None:
                self._calls.pop()
        if result is None and self._passes:
            self._reset(call if call is not None else self._frame.statement, maybe=True)
        return result

    def _reset(
        self, site: cst.CSTNode, maybe: bool = False, optimizer: Optimizer | None = None
    ) -> None:
        self.trace.events.append(
            GradReset(site=site, **self._where_loops(), maybe=maybe, optimizer=optimizer)  # type: ignore[arg-type]
        )

    # --- copies of parameters --------------------------------------------------------

    def tensor_method(
        self, tensor: Tensor, method: str, node: cst.Call, args: list[Value], state: State
    ) -> Value:
        result = super().tensor_method(tensor, method, node, args, state)
        trained = tensor.is_param or (tensor.is_leaf is Tri.YES and tensor.requires_grad is Tri.YES)
        if _to_float32(method, node):
            return result  # float32 is what parameters are made as: torch returns the tensor
        if method in _CONVERSIONS and result is tensor and trained and node.args:
            return self._copy_of(tensor, node, f".{method}()")
        if method in {"cuda", "double", "half"} and result is tensor and trained:
            return self._copy_of(tensor, node, f".{method}()")
        if method == "clone" and isinstance(result, Tensor) and tensor.is_param:
            self._copies[id(result)] = _Copy(result, tensor, node, ".clone()")
        return result

    def _copy_of(self, tensor: Tensor, node: cst.CSTNode, how: str) -> Tensor:
        copy = replace(tensor, prov=tensor.prov | {self._frame.seq}, site=node, label="")
        self._copies[id(copy)] = _Copy(copy, tensor, node, how)
        return copy

    def binary(
        self, operator: str, left: Value, right: Value, node: cst.CSTNode, state: State
    ) -> Value:
        result = super().binary(operator, left, right, node, state)
        if operator in {"*", "+"} and isinstance(result, Tensor):
            for param, other in ((left, right), (right, left)):
                if (
                    isinstance(param, Tensor)
                    and param.is_param
                    and isinstance(other, PlainValue)
                    and isinstance(node, cst.BinaryOperation)
                    and _is_identity_constant(node, operator)
                ):
                    how = "`* 1`" if operator == "*" else "`+ 0`"
                    self._copies[id(result)] = _Copy(result, param, node, how)
        return result

    def _optimizer_built(self, node: cst.Call, optimizer: Optimizer, first: Value | None) -> None:
        found: _Copy | None = None
        for param in optimizer.params or []:
            found = self._copies.get(id(param))
            if found is not None:
                break
        if found is None and first is not None:
            found = self._tainted.get(id(first))
        if found is None:
            # a tensor computed from a leaf in grad mode (``torch.randn(..., requires_grad=True)
            # * 0.01``): torch refuses any non-leaf
            made = next(
                (
                    p
                    for p in optimizer.params or []
                    if p.is_leaf is Tri.NO and p.requires_grad is Tri.YES and p.node is not None
                ),
                None,
            )
            if made is not None and isinstance(made.site, cst.CSTNode):
                found = _Copy(made, made, made.site, "a non-leaf")
        if found is None:
            return
        self.trace.events.append(
            OptimizerFromCopy(
                site=node,
                **self._where(),
                copy_site=found.site,
                how=found.how,
                source=found.source,
                non_leaf=found.how in {".clone()", "`* 1`", "`+ 0`", "a non-leaf"},
            )
        )

    # --- values without evaluating ---------------------------------------------------

    def _peek(self, node: cst.BaseExpression, state: State) -> Value | None:
        """What a name or ``obj.attr`` chain is bound to, read without evaluating anything
        (no events, no effects); ``None`` when it is not such a chain or not bound."""
        if isinstance(node, cst.Name):
            return state.lookup(node.value)
        if isinstance(node, cst.Attribute):
            owner = self._peek(node.value, state)
            if isinstance(owner, NNModule) and not owner.builtin:
                return state.lookup(f"#{id(owner)}.{node.attr.value}")
            if isinstance(owner, ModuleRef):
                return ModuleRef(f"{owner.qualname}.{node.attr.value}")
        if _keyed(node):
            assert isinstance(node, cst.Subscript)
            owner = self._peek(node.value, state)
            index = node.slice[0].slice
            if isinstance(owner, Sequence) and owner.keys is not None:
                assert isinstance(index, cst.Index)
                key = known_key(index.value, state)
                return owner.lookup(key) if key is not None else None
        return None


def _to_float32(method: str, node: cst.Call) -> bool:
    """``p.float()`` / ``p.to(torch.float32)``: on a float32 parameter (how layers and
    constructors make them) torch returns the tensor itself, no copy. Whether a parameter
    is of another dtype is not known here, so these are never reported as copies."""
    if method == "float" and not node.args:
        return True
    if method == "to" and len(node.args) == 1 and node.args[0].keyword is None:
        target = cst.Module(body=[]).code_for_node(node.args[0].value)
        return target in {"torch.float32", "torch.float"}
    return False


def _is_grad(node: cst.BaseExpression) -> bool:
    """``p.grad`` or ``p.grad.data``."""
    if isinstance(node, cst.Attribute) and node.attr.value == "data":
        node = node.value
    return isinstance(node, cst.Attribute) and node.attr.value == "grad"


def _is_identity_constant(node: cst.BinaryOperation, operator: str) -> bool:
    """``p * 1`` / ``1.0 * p`` / ``p + 0``: arithmetic that only copies."""
    wanted = {"*": {"1", "1.0", "1."}, "+": {"0", "0.0", "0."}}[operator]
    for side in (node.left, node.right):
        if isinstance(side, cst.Integer | cst.Float) and side.value in wanted:
            return True
    return False


def _added(node: cst.BaseSmallStatement) -> tuple[cst.BaseExpression, cst.BaseExpression] | None:
    """For ``x += v`` and ``x = x + v`` (``x`` a name or attribute chain): ``x`` and ``v``;
    also ``d[key] += v`` (a running sum kept in a dict under a key)."""
    if isinstance(node, cst.AugAssign) and isinstance(node.operator, cst.AddAssign):
        if isinstance(node.target, cst.Name | cst.Attribute) or _keyed(node.target):
            return node.target, node.value
        return None
    if (
        isinstance(node, cst.Assign)
        and len(node.targets) == 1
        and isinstance(node.value, cst.BinaryOperation)
        and isinstance(node.value.operator, cst.Add)
    ):
        target = node.targets[0].target
        name = dotted(target) if isinstance(target, cst.Name | cst.Attribute) else None
        if name is None:
            return None
        if _names(node.value.left, name):
            return target, node.value.right
        if _names(node.value.right, name):
            return target, node.value.left
    return None


def _keyed(target: cst.BaseExpression) -> bool:
    """``d[key]`` with ``d`` a name or attribute chain and one plain index."""
    return (
        isinstance(target, cst.Subscript)
        and isinstance(target.value, cst.Name | cst.Attribute)
        and len(target.slice) == 1
        and isinstance(target.slice[0].slice, cst.Index)
    )


def _names(side: cst.BaseExpression, name: str) -> bool:
    """``x`` itself, or ``x`` scaled (``x * 0.9``, ``0.9 * x``: a moving average)."""
    if dotted(side) == name:
        return True
    return (
        isinstance(side, cst.BinaryOperation)
        and isinstance(side.operator, cst.Multiply)
        and name in {dotted(side.left), dotted(side.right)}
    )


def _whole(target: cst.Subscript) -> bool:
    """``xs[:]``."""
    if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Slice):
        return False
    part = target.slice[0].slice
    return part.lower is None and part.upper is None and part.step is None


def _flat(value: Value, depth: int = 2) -> list[Value]:
    """A value and, for a tuple, list or dict, what it holds (a step's outputs kept as
    ``{"loss": loss, ...}``), to a small depth."""
    if isinstance(value, Sequence) and depth > 0:
        return [value, *(item for inner in value.items for item in _flat(inner, depth - 1))]
    return [value]


def _tensor_in(value: Value | None) -> Value | None:
    """The value itself, or the one tensor requiring grad that a container holds."""
    if not isinstance(value, Sequence):
        return value
    found = [v for v in _flat(value) if isinstance(v, Tensor) and v.requires_grad is Tri.YES]
    return found[0] if len(found) == 1 else None


def _binds_data(target: cst.BaseAssignTargetExpression, state: State) -> bool:
    """The loop target's names hold a tensor that surely does not require grad and, beside
    it, only such tensors, numbers and values not known (a label made by an op outside the
    registry): a batch drawn from data, not layers, losses or outputs."""
    names: list[str] = []
    pending: list[cst.BaseExpression] = [target]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Name):
            names.append(node.value)
        elif isinstance(node, cst.Tuple | cst.List):
            pending.extend(e.value for e in node.elements)
        else:
            return False
    values = [state.env.get(name) for name in names]
    tensors = [v for v in values if isinstance(v, Tensor)]
    return bool(tensors) and all(
        (isinstance(v, Tensor) and v.requires_grad is Tri.NO) or isinstance(v, PlainValue | Unknown)
        for v in values
    )
