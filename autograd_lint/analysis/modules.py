"""``nn.Module`` instances and heap objects: built-in layers and losses from the registry,
the project's own classes (constructed with their ``__init__`` followed), and what calling
one does.
"""

from __future__ import annotations

from collections import ChainMap
from dataclasses import replace

import libcst as cst

from autograd_lint import nn_modules, ops
from autograd_lint.analysis import element_count, layer_shapes
from autograd_lint.analysis.expressions import Expressions
from autograd_lint.analysis.names import keyword, literal_bool
from autograd_lint.analysis.pooling import adaptive_pool_spec
from autograd_lint.analysis.state import State
from autograd_lint.analysis.values import (
    GraphNode,
    NNModule,
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


class Modules(Expressions):
    """Module construction and module calls."""

    def _module_params(self, module: NNModule, state: State) -> list[Tensor]:
        found: list[Tensor] = []
        if module.builtin:
            found.extend(module.params)
            for child in module.children:
                if isinstance(child, NNModule) and child is not module:
                    found.extend(self._module_params(child, state))
            return found
        prefix = f"#{id(module)}."
        for _, value in state.items_with_prefix(prefix):
            if isinstance(value, Tensor) and value.is_param:
                found.append(value)
            elif isinstance(value, NNModule) and value is not module:
                found.extend(self._module_params(value, state))
        return found

    def submodules(self, module: NNModule, state: State, recursive: bool) -> list[NNModule]:
        """The layers a module holds (``children()``), or all below it (``modules()``), in
        the order they were set, each once."""
        direct: list[NNModule] = []
        if module.builtin:
            direct = [c for c in module.children if isinstance(c, NNModule)]
        else:
            prefix = f"#{id(module)}."
            direct = [v for _, v in state.items_with_prefix(prefix) if isinstance(v, NNModule)]
        found: list[NNModule] = []
        for child in direct:
            if child is module or any(child is seen for seen in found):
                continue
            found.append(child)
            if recursive:
                for below in self.submodules(child, state, recursive=True):
                    if not any(below is seen for seen in found) and below is not module:
                        found.append(below)
        return found

    def _representative_param(self, module: NNModule) -> Tensor:
        return Tensor(Tri.YES, Tri.YES, module.site, module.prov, is_param=True, label="param")

    def builtin_module(
        self,
        spec: nn_modules.ModuleSpec,
        node: cst.Call,
        state: State,
        args: list[Value] | None = None,
    ) -> NNModule:
        prov = frozenset({self._frame.seq})
        module = NNModule(
            spec.name,
            True,
            [],
            prov,
            node,
            saves_input=spec.saves_input,
            has_parameters=spec.has_parameters,
            known_kind=spec.name in nn_modules.MODULES,
        )
        module.inplace = spec.name in nn_modules.INPLACE_ACTIVATIONS and _inplace_requested(node)
        if args is not None and len(args) == len(node.args):
            module.arguments = list(args)
        if spec.name in nn_modules.CONTAINER_MODULES:
            children = _children(spec.name, node, args or [])
            if children is not None:
                module.children = children
                module.uniform = _built_from_one_kind(spec.name, args or [])
                module.prov = prov.union(*(provenance(c) for c in children))
                return module
        if spec.has_parameters and spec.name not in nn_modules.CONTAINER_MODULES:
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
        replaced = state.lookup(f"#{id(module)}.forward")
        if isinstance(replaced, UserFunction):
            # ``module.forward = f`` on the instance: ``module(x)`` calls ``f(x)`` (an
            # attribute, so no ``self``), as the module's forward
            result = self.follow(replaced, node, args, state, replaced.bound_self, as_forward=True)
            return (
                result if result is not None else self.opaque_module_call(module, node, args, state)
            )
        if module.builtin:
            if module.kind == "Sequential" and module.children:
                return self.sequential_call(module, node, args, state)
            if module.inplace and args and isinstance(args[0], Tensor):
                return self.inplace_activation(module, args[0], node, state)
            if module.kind in _RECURRENT:
                return self.recurrent_call(module, node, args, state)
            if module.kind in _CELLS:
                return self.cell_call(module, node, args, state)
            spec = nn_modules.MODULES.get(module.kind)
            op = ops.OPS.get(spec.op) if spec is not None and spec.op else None
            if module.kind == "AdaptiveAvgPool2d" and isinstance(module.site, cst.Call):
                op = adaptive_pool_spec(module.site, 0)
            if op is not None and op.kind == "loss":
                return self.loss(op, node, args, state, module.prov, module.site, module.arguments)
            if op is not None:
                inputs = _layer_inputs(op, args, module)
                output = self.apply_op(op, inputs, node, state, extra_prov=module.prov)
                if module.kind in layer_shapes.SIZED_LAYERS:
                    output.elements = layer_shapes.layer_output(module, inputs[:1])
                else:
                    element_count.after_op(
                        output, op, inputs[:1], node, method=False, arguments=False
                    )
                return output
            return self.opaque_module_call(module, node, args, state)
        cls = self.class_of(module)
        if cls is not None and module.is_module:
            # a ``__call__`` of the class's own replaces ``nn.Module.__call__`` (and with
            # it the call of ``forward``): a loss computer written as a module
            own_call = cls.method("__call__")
            if own_call is not None and not _only_calls_super(own_call[0]):
                result = self.follow(self._method_value(own_call, cls), node, args, state, module)
                if result is not None and not isinstance(result, Unknown):
                    return result
                return self.opaque_module_call(module, node, args, state)
        found = cls.method("forward" if module.is_module else "__call__") if cls else None
        if cls is not None and found is None and cls.builtin_base is not None:
            # ``class C(nn.Linear)`` without a forward of its own: the layer's
            return self.module_call(
                self.layer_part(module, cls.builtin_base, state), node, args, state
            )
        if cls is not None and found is not None:
            result = self.follow(self._method_value(found, cls), node, args, state, module)
            if isinstance(result, Tensor):
                result.prov = result.prov | module.prov | {self._frame.seq}
                return result
            if result is not None and (not module.is_module or not isinstance(result, Unknown)):
                return result  # a tuple, a dict of outputs... as forward returned it
        if not module.is_module:
            return Unknown()
        return self.opaque_module_call(module, node, args, state)

    def init_layer_part(
        self, instance: NNModule, layer: str, node: cst.CSTNode, state: State
    ) -> None:
        """``super().__init__(...)`` of a class extending an ``nn`` layer: the layer's
        parameters become the instance's ``weight`` and ``bias``."""
        spec = nn_modules.MODULES[layer]
        if not spec.has_parameters:
            return
        prov = frozenset({self._frame.seq})
        for name in ("weight", "bias"):
            key = f"#{id(instance)}.{name}"
            if state.lookup(key) is None:
                state.env[key] = Tensor(
                    Tri.YES, Tri.YES, node, prov, is_param=True, label=f"self.{name}"
                )

    def layer_part(self, instance: NNModule, layer: str, state: State) -> NNModule:
        """The ``nn`` layer inside an instance of a class extending it, with the instance's
        own ``weight`` / ``bias`` as it holds them now."""
        spec = nn_modules.MODULES[layer]
        params = [
            value
            for value in (state.lookup(f"#{id(instance)}.{name}") for name in ("weight", "bias"))
            if isinstance(value, Tensor)
        ]
        return NNModule(
            spec.name,
            True,
            params,
            instance.prov,
            instance.site,
            saves_input=spec.saves_input,
            has_parameters=spec.has_parameters,
        )

    def recurrent_call(
        self, module: NNModule, node: cst.Call, args: list[Value], state: State
    ) -> Value:
        """``out, h = rnn(x, h0)`` (``out, (h, c)`` for an LSTM): both results come from one
        graph node that saved the input, the initial state and buffers of its own."""
        hidden = args[1] if len(args) > 1 else None
        inputs: list[Value] = [args[0] if args else Unknown()]
        if isinstance(hidden, Sequence):
            inputs.extend(hidden.items)
        elif hidden is not None:
            inputs.append(hidden)
        output = self.opaque_module_call(module, node, inputs, state)
        if not isinstance(output, Tensor):
            return Unknown()
        if output.node is not None:
            output.node.saves_internal = True

        def state_tensor() -> Tensor:
            return replace(output, storage=fresh_id(), vc=fresh_id(), label="")

        final: Value = state_tensor()
        if module.kind == "LSTM":
            final = Sequence([final, state_tensor()], output.prov)
        return Sequence([output, final], output.prov)

    def cell_call(self, module: NNModule, node: cst.Call, args: list[Value], state: State) -> Value:
        """``h = cell(x, h)`` (``h, c = cell(x, (h, c))`` for an ``LSTMCell``): one step of a
        recurrent cell, one graph node that saved the input and the state it was given."""
        hidden = args[1] if len(args) > 1 else None
        inputs: list[Value] = [args[0] if args else Unknown()]
        if isinstance(hidden, Sequence):
            inputs.extend(hidden.items)
        elif hidden is not None:
            inputs.append(hidden)
        output = self.opaque_module_call(module, node, inputs, state)
        if not isinstance(output, Tensor):
            return output
        if output.node is not None:
            output.node.saves_internal = True  # the gates, whatever the inputs were
        if module.kind != "LSTMCell":
            return output
        cell = replace(output, storage=fresh_id(), vc=fresh_id(), label="")
        return Sequence([output, cell], output.prov)

    def sequential_call(
        self, module: NNModule, node: cst.Call, args: list[Value], state: State
    ) -> Value:
        """``nn.Sequential``: each child called on what the previous one returned."""
        value: Value = args[0] if args else Unknown()
        for child in module.children:
            if not isinstance(child, NNModule):
                return Unknown(module.prov)
            value = self.module_call(child, node, [value], state)
        if isinstance(value, Tensor):
            value.prov = value.prov | module.prov | {self._frame.seq}
        return value

    def inplace_activation(
        self, module: NNModule, tensor: Tensor, node: cst.Call, state: State
    ) -> Tensor:
        """``nn.ReLU(inplace=True)(x)``: ``x`` is overwritten and returned."""
        method, saves_output = nn_modules.INPLACE_ACTIVATIONS[module.kind]
        result = self.activate_in_place(tensor, method, saves_output, node, state)
        result.prov = result.prov | module.prov | {self._frame.seq}
        return result

    def activate_in_place(
        self, tensor: Tensor, method: str, saves_output: bool, node: cst.Call, state: State
    ) -> Tensor:
        """An in-place activation: a write to ``tensor`` (a backward that saved it before
        now fails) that, recorded in the graph, saves its own output."""
        result = self.inplace_write(tensor, node, state, "inplace", method)
        if (
            saves_output
            and result.node is not None
            and result.requires_grad is Tri.YES
            and state.grad_enabled is True
        ):
            result.node.saved.append(SavedRef(result, self._frame.seq, node, "output"))
        return result

    def _trains_parameters(self, module: NNModule, state: State) -> bool:
        """Whether the module surely holds a parameter that requires grad, so that what an
        opaque call of it gives requires grad. A layer the registry describes says so itself,
        unless the parameters it holds are known and none requires grad (``requires_grad_(
        False)``); an instance of a project class only if one it holds is known to."""
        params = self._module_params(module, state)
        if module.builtin and (not params or not module.has_parameters):
            return module.has_parameters
        return any(p.requires_grad is Tri.YES for p in params)

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
            if self._trains_parameters(module, state)
            else any_yes([a.requires_grad for a in inputs] or [Tri.UNKNOWN])
        )
        if (not module.known_kind or not module.builtin) and rg is Tri.NO:
            rg = Tri.UNKNOWN  # it may have parameters of its own
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

    def _new_instance(
        self,
        cls: UserClass,
        state: State,
        node: cst.CSTNode,
        args: list[Value] | None = None,
    ) -> NNModule:
        """``Cls(...)``: a new heap object, its ``__init__`` followed with the arguments."""
        instance = NNModule(
            cls.name,
            False,
            [],
            frozenset({self._frame.seq}),
            node,
            is_module=cls.is_module,
            cls=cls,
        )
        init = cls.method("__init__")
        if init is not None:
            call = node if isinstance(node, cst.Call) else None
            self.follow(self._method_value(init, cls), call, args or [], state, instance)
        return instance

    def _instantiate(
        self, cls: UserClass, state: State, prov: frozenset[int], node: cst.CSTNode
    ) -> dict[str, Value]:
        scratch = State(globals=ChainMap(state.env, state.globals))  # type: ignore[arg-type]
        instance = self._new_instance(cls, scratch, node)
        prefix = f"#{id(instance)}."
        return {k[len(prefix) - 1 :]: v for k, v in scratch.items_with_prefix(prefix)}


_RECURRENT = frozenset({"RNN", "GRU", "LSTM"})
_CELLS = frozenset({"RNNCell", "GRUCell", "LSTMCell"})
_BUFFERS = frozenset({"running_mean", "running_var"})


def _only_calls_super(function: cst.FunctionDef) -> bool:
    """``def __call__(self, *a, **k): return super().__call__(*a, **k)`` (a docstring
    aside): it changes nothing, so calling the instance runs ``forward`` as usual."""
    body = function.body.body if isinstance(function.body, cst.IndentedBlock) else []
    lines = [
        s
        for s in body
        if not (
            isinstance(s, cst.SimpleStatementLine)
            and len(s.body) == 1
            and isinstance(s.body[0], cst.Expr)
            and isinstance(s.body[0].value, cst.SimpleString | cst.ConcatenatedString)
        )
    ]
    if len(lines) != 1 or not isinstance(lines[0], cst.SimpleStatementLine):
        return False
    (statement,) = lines[0].body
    call = statement.value if isinstance(statement, cst.Return | cst.Expr) else None
    return (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "__call__"
        and isinstance(call.func.value, cst.Call)
        and isinstance(call.func.value.func, cst.Name)
        and call.func.value.func.value == "super"
    )


def _layer_inputs(op: ops.OpSpec, args: list[Value], module: NNModule) -> list[Value]:
    """The op's tensor arguments when a layer calls it: the call's input, then the layer's
    own ``weight`` / ``bias`` (and running statistics, which never require grad)."""
    params = {param.label.rsplit(".", 1)[-1]: param for param in module.params}
    inputs: list[Value] = []
    for index, name in enumerate(op.inputs):
        if index == 0:
            inputs.append(args[0] if args else Unknown())
        elif name in params:
            inputs.append(params[name])
        elif name in _BUFFERS:
            inputs.append(PlainValue(frozenset()))
        elif index < len(args):
            inputs.append(args[index])  # a loss's target, a second input
        else:
            break
    return inputs


def _inplace_requested(node: cst.Call) -> bool:
    """``inplace=True``, or a literal ``True`` among the positional arguments (``ReLU(True)``,
    ``LeakyReLU(0.2, True)``: the activations' only boolean parameter is ``inplace``)."""
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value != "inplace":
            continue
        if literal_bool(arg.value) is Tri.YES:
            return True
    return False


def _built_from_one_kind(kind: str, args: list[Value]) -> bool:
    """A ``ModuleList`` built from a comprehension: one item stands for each of them."""
    return (
        kind == "ModuleList"
        and len(args) == 1
        and isinstance(args[0], Sequence)
        and args[0].homogeneous
        and len(args[0].items) == 1
    )


def _children(kind: str, node: cst.Call, args: list[Value]) -> list[Value] | None:
    """The submodules a container is built from, when the call shows them all."""
    if kind == "Sequential":
        children: list[Value] = []
        for arg, value in zip(node.args, args, strict=False):
            if arg.star == "*" and isinstance(value, Sequence) and value.keys is None:
                children.extend(value.items)
            elif arg.star or arg.keyword is not None:
                return None
            else:
                children.append(value)
        return children if all(isinstance(c, NNModule) for c in children) else None
    if len(args) == 1 and isinstance(args[0], Sequence) and not node.args[0].star:
        items = list(args[0].items)
        return items if all(isinstance(c, NNModule) for c in items) else None
    if not args:
        return []
    return None
