"""What operations do to autograd state: ops recorded in the graph, in-place writes and
writes through ``.data``, losses, and backward passes (which graphs they free, which saved
tensors they find stale).
"""

from __future__ import annotations

from collections.abc import Sequence as Seq
from dataclasses import replace
from typing import Any

import libcst as cst

from autograd_lint import ops
from autograd_lint.analysis import element_count, grad_events
from autograd_lint.analysis.branch_facts import common_arm
from autograd_lint.analysis.frame import InterpreterBase
from autograd_lint.analysis.graph_leaves import call_passes_all, leaves_of, only_plain_arguments
from autograd_lint.analysis.names import keyword, kwarg_tri
from autograd_lint.analysis.state import State
from autograd_lint.analysis.trace import Backward, CloneEscape, DataWrite, InplaceWrite, StaleSave
from autograd_lint.analysis.values import (
    GraphNode,
    NNModule,
    PlainValue,
    SavedRef,
    Sequence,
    Tensor,
    Tri,
    Unknown,
    Value,
    any_yes,
    provenance,
)


def same_facts(a: Value, b: Value) -> bool:
    if a is b:
        return True
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        return (
            a.requires_grad is b.requires_grad
            and a.is_param == b.is_param
            and a.alias_kind == b.alias_kind
        )
    return False


def plain_rg(value: Value) -> Tri:
    """requires_grad contributed by a non-tensor operand (a number never requires grad)."""
    return Tri.NO if isinstance(value, PlainValue) else Tri.UNKNOWN


def either(before: Tensor, after: Tensor) -> Tensor:
    """``before`` with only the facts it shares with ``after`` (the same tensor, changed on
    one path only): a flag that differs is unknown, a graph edge only one has is dropped."""
    requires_grad = before.requires_grad.join(after.requires_grad)
    cut = requires_grad is Tri.NO
    return replace(
        before,
        requires_grad=requires_grad,
        is_leaf=before.is_leaf.join(after.is_leaf),
        node=before.node if before.node is after.node else None,
        prov=before.prov | after.prov,
        cut_site=before.cut_site if cut else None,
        cut_reason=before.cut_reason if cut else "",
    )


def _with_operand_cut(result: Tensor, operands: Seq[Tensor]) -> Tensor:
    """``result`` (which does not require grad) with the cut of the first operand that has
    one: where the gradient its operands lack was cut."""
    cut = next((t for t in operands if t.cut_site is not None), None)
    if cut is not None:
        result.cut_site, result.cut_reason = cut.cut_site, cut.cut_reason
    return result


class Effects(InterpreterBase):
    """Events and tensor facts produced by registry ops, writes and backward passes."""

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
        operands: Seq[Value] = (),
    ) -> None:
        """A write through ``tensor.data``: storage changes, the version counter does not."""
        flags = [o.requires_grad if isinstance(o, Tensor) else plain_rg(o) for o in operands]
        event = DataWrite(
            site=site,
            **self._where(),
            target=tensor,
            how=how,  # type: ignore[arg-type]
            method=method,
            value=value_expr,
            receiver=receiver,
            via_name=via_name,
            value_requires_grad=any_yes(flags) if flags else Tri.NO,
            value_from_target=_computed_from(tensor, operands, value_expr, receiver or site),
            value_prov=frozenset().union(*(o.prov for o in operands if isinstance(o, Tensor))),
            in_forward=self._frame.in_forward,
            grad_enabled=state.grad_enabled,
        )
        self.trace.events.append(event)
        state.data_writes.setdefault(tensor.storage, []).append(event)
        # ``for p in params: p.data.sub_(...)``: the loop variable stands for every item
        for other in self._stands_for.get(id(tensor), ()):
            state.data_writes.setdefault(other.storage, []).append(event)

    def _where(self) -> dict[str, Any]:
        """Where an event happens: the statement being executed, its number and scope."""
        frame = self._frame
        return {"seq": frame.seq, "statement": frame.statement, "scope": frame.scope}

    def updated(self, tensor: Tensor, state: State, **changes: Any) -> Tensor:
        """A copy of ``tensor`` with ``changes``, bound on this path in its place.

        Facts that an operation changes in place (``requires_grad_()``, ``detach_()``, an
        in-place op that takes a graph from its operand) must not leak into the other
        branch of an ``if``: the other path keeps the object it had. Storage and version
        counter identities are kept, so aliases and saved references still match.
        """
        changes.setdefault("prov", tensor.prov | {self._frame.seq})
        changes.setdefault("no_grad_when", None)  # a change in place may bring grad on that arm
        new = replace(tensor, **changes)
        for name, value in list(state.env.items()):
            if value is tensor:
                state.env[name] = new
        for name, value in state.globals.items():
            if value is tensor and name not in state.env:
                state.env[name] = new
        if tensor.is_param:
            self._replace_in_layers(tensor, self.held(tensor, new), state)
        others = self._stands_for.pop(id(tensor), None)
        if others is not None:  # ``for p in params: p.requires_grad = False``: every one
            self._stands_for[id(new)] = [self.updated(other, state, **changes) for other in others]
        return new

    def held(self, before: Tensor, after: Tensor) -> Tensor:
        """What a layer holds once its parameter ``before`` became ``after`` on this path: a
        layer is one object on every path, so a change on one branch of an ``if`` (or in a
        loop that may not run) leaves it holding what either path may give."""
        return after if self._uncertain == 0 else either(before, after)

    def _replace_in_layers(
        self, old: Tensor, new: Tensor, state: State, roots: Seq[NNModule] = ()
    ) -> None:
        """A parameter a built-in layer holds (``fc.weight``), updated on every path: in the
        layers bound to names, and in ``roots`` (a layer not bound yet, ``nn.Conv2d(...)
        .requires_grad_(False)``)."""
        seen: set[int] = set()
        stack = [
            *roots,
            *(v for v in (*state.env.values(), *state.globals.values()) if isinstance(v, NNModule)),
        ]
        while stack:
            module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            module.params[:] = [new if p is old else p for p in module.params]
            stack.extend(c for c in module.children if isinstance(c, NNModule))

    def inplace_write(
        self,
        tensor: Tensor,
        site: cst.CSTNode,
        state: State,
        how: str,
        method: str,
        operands: Seq[Value] = (),
    ) -> Tensor:
        """An in-place write; returns the tensor as it is after it on this path (it takes
        requires_grad and a graph edge from its operands, as torch's in-place ops do)."""
        base = tensor.data_base()
        if base is not None and method in ops.METADATA_INPLACE:
            return tensor  # reshapes the `.data` alias only: the tensor is not written
        if base is not None:
            self.data_write(base, site, state, how, method, via_name=True, operands=operands)
            self.trace.events[-1].prov = tensor.prov  # type: ignore[attr-defined]
            return tensor
        event = InplaceWrite(
            site=site,
            **self._where(),
            target=tensor,
            how=how,  # type: ignore[arg-type]
            method=method,
        )
        self.trace.events.append(event)
        grad_events.leaf_inplace(self, tensor, site, state, how, method, operands)
        state.writes.setdefault(tensor.vc, []).append(event)
        if method in ops.METADATA_INPLACE:
            tensor.elements = None  # the shape changed; the element count facts go with it
        grad_on = state.grad_enabled is True
        if (
            tensor.requires_grad is Tri.YES
            and tensor.is_leaf is Tri.NO
            and grad_on
            and tensor.node is not None
        ):
            operand_nodes = tuple(
                o.node for o in operands if isinstance(o, Tensor) and o.node is not None
            )
            tensor.node = GraphNode(method or "inplace", site, (tensor.node, *operand_nodes))
            tensor.prov = tensor.prov | {self._frame.seq}
        return self._took_operands(tensor, site, state, method, operands)

    def _took_operands(
        self, tensor: Tensor, site: cst.CSTNode, state: State, method: str, operands: Seq[Value]
    ) -> Tensor:
        """``x.copy_(t)``, ``x[i] = t``, ``x += t`` with ``t`` requiring grad: ``x`` now
        requires grad and is a non-leaf of ``t``'s graph (grad mode on); with an operand of
        unknown facts, whether ``x`` requires grad is unknown."""
        if tensor.requires_grad is Tri.YES or state.grad_enabled is False:
            return tensor
        flags = [o.requires_grad if isinstance(o, Tensor) else plain_rg(o) for o in operands]
        if not flags or all(flag is Tri.NO for flag in flags):
            return tensor
        prov = tensor.prov.union(*(provenance(o) for o in operands)) | {self._frame.seq}
        if any(flag is Tri.YES for flag in flags) and state.grad_enabled is True:
            parents = tuple(
                o.node for o in (tensor, *operands) if isinstance(o, Tensor) and o.node is not None
            )
            new = self.updated(
                tensor,
                state,
                requires_grad=Tri.YES,
                is_leaf=Tri.NO,
                node=GraphNode(method or "inplace", site, parents),
                cut_site=None,
                cut_reason="",
                prov=prov,
            )
            assert new.node is not None
            new.node.result = new
            return new
        return self.updated(
            tensor, state, requires_grad=Tri.UNKNOWN, is_leaf=Tri.UNKNOWN, prov=prov
        )

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

    def view(self, tensor: Tensor, node: cst.CSTNode, state: State, name: str) -> Tensor:
        spec = ops.OPS.get(name, ops.OPS["view"])
        result = self.apply_op(spec, [tensor], node, state, all_inputs=True)
        element_count.after_op(result, spec, [tensor], node, method=True)
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
        all_inputs: bool = False,
    ) -> Tensor:
        """The result of a registry op on ``inputs``; ``all_inputs``: they are every operand
        of the op, so the leaves its graph reaches are known from theirs."""
        seq = self._frame.seq
        prov = extra_prov.union(*(provenance(v) for v in inputs)) | {seq}
        tensors = [v for v in inputs if isinstance(v, Tensor)]
        rgs = [v.requires_grad if isinstance(v, Tensor) else plain_rg(v) for v in inputs]
        if spec.kind == "nondiff" and all(r is Tri.NO for r in rgs):
            # nothing it read required grad: no gradient was cut here (``F.one_hot(labels)``)
            return _with_operand_cut(Tensor(Tri.NO, Tri.YES, node, prov), tensors)
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
        if rg is Tri.UNKNOWN:
            result.no_grad_when = common_arm(inputs)
        if rg is Tri.NO:
            if state.grad_enabled is False:
                result.cut_site, result.cut_reason = self._grad_off(node)
            else:
                _with_operand_cut(result, tensors)
        if rg is Tri.YES:
            parents = tuple(t.node for t in tensors if t.node is not None)
            graph = GraphNode(spec.name, node, parents, saves_internal=spec.saves_internal)
            if all_inputs:
                graph.leaves = leaves_of(inputs)
            known = all(r is not Tri.UNKNOWN for r in rgs)
            if known:
                flags = tuple(r is Tri.YES for r in rgs)
                for index in spec.saved_inputs(flags):
                    value = inputs[index] if index < len(inputs) else None
                    if isinstance(value, Tensor):
                        graph.saved.append(SavedRef(value, seq, node, spec.inputs[index]))
                    elif isinstance(value, PlainValue):
                        # torch saves a Python number as a wrapped tensor (``w * 2``): a
                        # second backward through the node fails as for any saved tensor
                        graph.saves_internal = True
            if spec.saves_output:
                graph.saved.append(SavedRef(result, seq, node, "output"))
            result.node = graph
            graph.result = result
            if spec.kind == "copy" and any(t.requires_grad is Tri.YES for t in tensors):
                result.clone_site = node
                result.clone_of = tensors[0] if tensors else None
            elif known:
                result.from_clone = _one_clone_source(tensors)
        return result

    def _arg(self, node: cst.Call, args: list[Value], index: int, name: str) -> Value:
        arg = keyword(node, name)
        if arg is not None:
            return args[node.args.index(arg)]
        plain = [v for a, v in zip(node.args, args, strict=False) if a.keyword is None]
        return plain[index] if index < len(plain) else PlainValue(frozenset())

    def loss(
        self,
        spec: ops.OpSpec,
        node: cst.Call,
        args: list[Value],
        state: State,
        extra: frozenset[int] = frozenset(),
        loss_constructor: cst.CSTNode | None = None,
        constructor_args: list[Value] | None = None,
    ) -> Tensor:
        inputs = [self._arg(node, args, 0, "input"), self._arg(node, args, 1, "target")]
        target = inputs[1]
        if isinstance(target, Tensor):
            clone = target if target.clone_site is not None else target.from_clone
            if clone is not None:
                where = node.args[1].value if len(node.args) > 1 else node
                how = "loss-target" if clone is target else "loss-target-from"
                self.clone_escape(clone, how, where, state)
        # every tensor operand is known: the two passed here, none among the other
        # arguments, none held by the loss module (``nn.CrossEntropyLoss(weight=w)``)
        complete = call_passes_all(node, 2) and (
            loss_constructor is None or only_plain_arguments(loss_constructor, constructor_args)
        )
        result = self.apply_op(spec, inputs, node, state, extra_prov=extra, all_inputs=complete)
        reduction = element_count.reduction_of(node, args, loss_constructor, constructor_args)
        result.elements = element_count.loss_output(reduction, spec.name, inputs)
        return result

    def _grad_off(self, node: cst.CSTNode) -> tuple[cst.CSTNode, str]:
        """Where grad mode was turned off, for messages."""
        site = self._grad_off_site
        if site is None:
            return node, "grad mode turned off before this point"
        code = f"`{self.module.code_for_node(site)}`"
        if isinstance(site, cst.Import | cst.ImportFrom):
            return site, f"{code} (that module turns grad mode off when imported)"
        applied = isinstance(site, cst.Call) and isinstance(site.func, cst.Attribute)
        if applied and site.func.attr.value == "apply":  # type: ignore[attr-defined]
            # set only for a custom autograd Function's `.apply(...)`
            return site, f"{code} (an autograd Function's forward runs with grad mode off)"
        return site, code

    def _element_of(self, iterable: Value) -> Value:
        """What a ``for`` target is bound to: an element all items agree on, else unknown."""
        if isinstance(iterable, Sequence) and iterable.items and iterable.keys is None:
            first = iterable.items[0]
            if iterable.homogeneous or all(same_facts(first, i) for i in iterable.items):
                return first
        return Unknown(provenance(iterable))

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
            uncertain=self._uncertain,
            whole=not self._alone,
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
        if retain is Tri.NO and not _raises_before_running(tensor, node, api):
            for graph in reachable:
                state.freed.setdefault(graph.id, event)
        return Unknown() if api == "autograd.grad" else PlainValue(frozenset())


def _computed_from(
    target: Tensor,
    operands: Seq[Value],
    value_expr: cst.BaseExpression | None,
    receiver: cst.CSTNode | None,
) -> bool:
    """Whether a value written through ``target.data`` was computed from ``target``: the
    statements that made ``target`` are among those that made the value, or the value's
    expression names the target (``w.data = F.normalize(w)``)."""
    if any(isinstance(o, Tensor) and target.prov and (o.prov & target.prov) for o in operands):
        return True
    if value_expr is None or not isinstance(receiver, cst.Attribute):
        return False
    empty = cst.Module(body=[])
    wanted = empty.code_for_node(receiver.value)
    found = _Mentions(wanted, empty)
    value_expr.visit(found)
    return found.seen


class _Mentions(cst.CSTVisitor):
    """Finds a name or attribute chain written exactly as ``wanted``."""

    def __init__(self, wanted: str, empty: cst.Module) -> None:
        self.wanted = wanted
        self.empty = empty
        self.seen = False

    def visit_Name(self, node: cst.Name) -> None:
        self.seen = self.seen or node.value == self.wanted

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self.seen = self.seen or self.empty.code_for_node(node) == self.wanted


def _raises_before_running(tensor: Tensor, node: cst.Call, api: str) -> bool:
    """A backward torch refuses to start (no gradient given for a tensor that is surely not
    a single element): it frees nothing, so a later backward is not a second one."""
    return (
        tensor.requires_grad is Tri.YES
        and element_count.surely_not_one(tensor.elements)
        and not element_count.gradient_given(node, api)
    )


def _one_clone_source(tensors: list[Tensor]) -> Tensor | None:
    """The clone every input that requires grad was computed from, when there is one
    (inputs that do not require grad, numbers and the like, may join it)."""
    found: Tensor | None = None
    for tensor in tensors:
        if tensor.requires_grad is Tri.NO:
            continue
        if tensor.requires_grad is not Tri.YES:
            return None
        source = tensor if tensor.clone_site is not None else tensor.from_clone
        if source is None or (found is not None and source is not found):
            return None
        found = source
    return found
