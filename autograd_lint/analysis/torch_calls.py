"""Calls of torch's API: registry functions and methods, tensor creation, ``nn.Parameter``,
optimizers, and the methods of torch objects (optimizers, modules, sequences).
"""

from __future__ import annotations

import libcst as cst

from autograd_lint import nn_modules, ops
from autograd_lint.analysis import (
    binary_selection,
    callbacks,
    element_count,
    grad_events,
    shape_flow,
    tensor_copy,
)
from autograd_lint.analysis.deep_copy import deep_copy
from autograd_lint.analysis.expressions import literal_key
from autograd_lint.analysis.graph_leaves import call_passes_all
from autograd_lint.analysis.holders import NAMESPACES, namespace_object
from autograd_lint.analysis.modules import Modules
from autograd_lint.analysis.names import keyword, kwarg_tri, literal_bool
from autograd_lint.analysis.pooling import adaptive_pool_spec
from autograd_lint.analysis.state import State
from autograd_lint.analysis.tensor_functions import tensor_function_result
from autograd_lint.analysis.trace import (
    AnomalyMode,
    DetachViewInplace,
    NumpyOfGrad,
    TensorFromTensor,
)
from autograd_lint.analysis.values import (
    ElementCount,
    NNModule,
    Optimizer,
    PlainValue,
    Sequence,
    Tensor,
    Tri,
    Unknown,
    Value,
    provenance,
)
from autograd_lint.op_spec import SaveRule

_GRAD_APIS = {
    "torch.autograd.backward": "autograd.backward",
    "torch.autograd.grad": "autograd.grad",
}


_JOINING_OPS = frozenset({"cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack"})
"""``torch.<name>(tensors)``: one result from a list of tensors."""
_NEVER: tuple[SaveRule, ...] = ("never",)
_SPLITTING = frozenset({"chunk", "split", "unbind", "tensor_split", "split_with_sizes"})
"""Ops whose results are views of the input, several of them."""
_NONEMPTY = frozenset({"chunk", "split"})
"""Of those, the ones that give one view or more for a positive integer count or size."""
_SELECTING = frozenset({"max", "min", "sort", "topk", "kthvalue", "median", "mode"})
"""Ops that, along a dimension, return ``(values, indices)``."""
_SELECTION = ops.OpSpec(name="select_values", kind="math")
_INTEGER_CASTS = frozenset({"long", "int", "short", "byte", "char", "bool"})
"""``t.long()``...: a copy of integer (or bool) dtype, which cannot require grad."""


class TorchCalls(Modules):
    """What a call of torch's own API does to autograd state."""

    def _implicit_numpy(self, name: str, node: cst.Call, args: list[Value], state: State) -> None:
        """``np.sum([loss_a, loss_b])``: the first argument's tensors are converted."""
        first = args[0] if args and not node.args[0].star and node.args[0].keyword is None else None
        tensors: list[Tensor] = []
        if isinstance(first, Tensor) and name not in _NUMPY_METHOD_CALLERS:
            tensors = [first]
        elif isinstance(first, Sequence) and first.keys is None:
            tensors = [item for item in first.items if isinstance(item, Tensor)]
        for tensor in tensors:
            if _numpy_raises(tensor, node, state) and tensor.clone_site is None:
                self.trace.events.append(
                    NumpyOfGrad(site=node, **self._where(), tensor=tensor, call=node, implicit=name)
                )
                return

    def qualified_call(self, qualname: str, node: cst.Call, state: State) -> Value:
        """A call of a dotted name rooted at an import: ``torch.sigmoid(x)``, ``nn.Linear(...)``."""
        args = [self.expr(a.value, state) for a in node.args]
        prefix, _, name = qualname.rpartition(".")
        if prefix == "numpy" and name in _NUMPY_CONVERTERS:
            self._implicit_numpy(name, node, args, state)
        if qualname == "itertools.chain":
            return self.chained(node, args, state)
        if qualname == "copy.deepcopy" and len(args) == 1 and isinstance(args[0], NNModule):
            return deep_copy(args[0], state, node, provenance(args[0]) | {self._frame.seq})
        if qualname == "functools.reduce":
            return self.reduced(node, args, state)
        if qualname in NAMESPACES:
            return namespace_object(node, args, state, self._frame.seq) or Unknown()
        if qualname in _GRAD_APIS:
            outputs = args[0] if args else Unknown()
            return self.backward(outputs, node, state, _GRAD_APIS[qualname])
        if prefix == "torch" and (
            name in ops.CREATION_FUNCTIONS or name in ops.LEGACY_CONSTRUCTORS
        ):
            return self.create(name, node, args, state)
        if qualname in {"torch.autograd.Variable", "torch.autograd.variable.Variable"}:
            # a leaf on the same data, its flag as asked (the legacy wrapper)
            rg = kwarg_tri(node, "requires_grad", Tri.NO)
            source = args[0] if args else Unknown()
            leaf = Tensor(rg, Tri.YES, node, provenance(source) | {self._frame.seq})
            if isinstance(source, Tensor):
                leaf.elements = source.elements  # the same data, so the same shape
            grad_events.cut_constructor(self, leaf, node, source, "Variable(...)")
            return leaf
        if name in _ANOMALY_APIS and prefix in {"torch.autograd", "torch.autograd.anomaly_mode"}:
            self.trace.events.append(
                AnomalyMode(
                    site=node,
                    **self._where(),
                    call=node,
                    api=name,  # type: ignore[arg-type]
                    enabled=_anomaly_flag(node, name),
                )
            )
            return Unknown()
        if name == "set_grad_enabled" and prefix in {"torch", "torch.autograd"}:
            # called as a plain function (not in a ``with``), it sets the mode at once
            flag = literal_bool(node.args[0].value) if node.args else Tri.UNKNOWN
            state.grad_enabled = None if flag is Tri.UNKNOWN else flag is Tri.YES
            self._grad_off_site = node
            return Unknown()
        if (
            prefix in {"torch.nn.utils", "torch.nn.utils.parametrizations"}
            and name in {"weight_norm", "spectral_norm"}
            and args
            and isinstance(args[0], NNModule)
        ):
            return args[0]  # the same module, reparametrised: its output still requires grad
        if prefix in {"torch.nn", "torch.nn.parameter"} and name == "Parameter":
            source = args[0] if args else Unknown()
            rg = kwarg_tri(node, "requires_grad", Tri.YES)
            param = Tensor(rg, Tri.YES, node, provenance(source) | {self._frame.seq}, is_param=True)
            return param
        if prefix in {"torch.nn", "torch.nn.modules"} and name in nn_modules.MODULES:
            return self.builtin_module(nn_modules.MODULES[name], node, state, args)
        if prefix in {"torch.nn", "torch.nn.modules"} and name[:1].isupper():
            # an nn class the registry does not describe: calling it gives a tensor whose
            # facts follow its input and grad mode, saving nothing known
            opaque = nn_modules.ModuleSpec(name, None, False, False)
            return self.builtin_module(opaque, node, state, args)
        if prefix == "torch.optim" and name in nn_modules.OPTIMIZERS:
            params = args[0] if args else Unknown()
            known = (
                [p for p in params.items if isinstance(p, Tensor)]
                if isinstance(params, Sequence)
                else None
            )
            return Optimizer(known, provenance(params) | {self._frame.seq})
        if prefix == "torch" and name in _JOINING_OPS and args and isinstance(args[0], Sequence):
            parts = args[0]
            if not parts.items:
                return Unknown(parts.prov)
            # a join of tensors saves no input for backward (only their sizes)
            joining = ops.OPS.get(name) or ops.OpSpec(name=name, kind="math")
            joined = ops.OpSpec(
                name=joining.name,
                kind="math",
                inputs=("tensors",) * len(parts.items),
                saves=_NEVER * len(parts.items),
                backward_node=joining.backward_node,
            )
            result = self.apply_op(joined, list(parts.items), node, state, extra_prov=parts.prov)
            if not parts.homogeneous:  # a comprehension's one item stands for any number
                result.elements = element_count.joined(name, parts.items)
            return result
        spec = None
        if prefix == "torch":
            spec = ops.function_op(name)
        elif prefix in {"torch.nn.functional", "torch.functional"}:
            spec = ops.functional_op(name) or ops.function_op(name)
            if spec is not None and spec.name == "adaptive_avg_pool2d":
                spec = adaptive_pool_spec(node, 1)
        inplace_twin = f"{name}_" if name and not name.endswith("_") else name
        if (
            prefix in {"torch.nn.functional", "torch"}
            and args
            and isinstance(args[0], Tensor)
            and (name.endswith("_") or _inplace_flag(node))
            and nn_modules.INPLACE_FUNCTIONAL.get(inplace_twin) is not None
        ):
            # ``F.relu(x, inplace=True)``, ``F.relu_(x)``: ``x`` is overwritten
            saves_output = nn_modules.INPLACE_FUNCTIONAL[inplace_twin]
            return self.activate_in_place(args[0], inplace_twin, saves_output, node, state)
        if (
            prefix == "torch"
            and (name in _SPLITTING or name in _SELECTING)
            and args
            and isinstance(args[0], Tensor)
        ):
            several = self.tuple_result(args[0], name, node, args[1:], state)
            if several is not None:
                return several
        first = args[0] if args else None
        if prefix == "torch" and isinstance(first, Tensor):
            binary = binary_selection.other_operand(name, node, args[1:], method=False)
            if binary is not None:
                return self._binary_selection(binary, first, node, state, passed=2)
        if spec is not None:
            tensors = [args[i] for i in range(min(len(args), len(spec.inputs)))]
            if spec.name == "linear":
                tensors = [self._arg(node, args, i, n) for i, n in enumerate(spec.inputs)]
            if spec.kind == "loss":
                return self.loss(spec, node, args, state)
            complete = spec.name != "linear" and call_passes_all(node, len(tensors))
            result = self.apply_op(spec, tensors, node, state, all_inputs=complete)
            element_count.after_op(result, spec, tensors, node, method=False)
            return result
        if (
            prefix == "torch"
            and name in ops.INPLACE_METHODS
            and args
            and isinstance(args[0], Tensor)
        ):
            return self.tensor_method(args[0], name, node, args[1:], state)
        listed = tensor_function_result(qualname, node, args, state, self._frame.seq)
        if listed is not None:
            return listed
        callbacks.hand_over(args, state)
        return Unknown()

    def create(self, name: str, node: cst.Call, args: list[Value], state: State) -> Value:
        if name == "as_tensor" and args and isinstance(args[0], Tensor):
            # ``torch.as_tensor(t)`` is ``t`` itself; with ``dtype=`` / ``device=`` it is
            # ``t.to(...)``, a copy that keeps ``t``'s graph. No cut, no warning.
            return args[0] if len(node.args) == 1 else Unknown(args[0].prov)
        requires_grad = kwarg_tri(node, "requires_grad", Tri.NO)
        prov = frozenset({self._frame.seq}).union(*(provenance(a) for a in args))
        tensor = Tensor(requires_grad, Tri.YES, node, prov)
        if name in {"tensor", "as_tensor"} and args:
            copier = "torch.tensor(...)" if name == "tensor" else ""
            grad_events.cut_constructor(self, tensor, node, args[0], copier)
        tensor.elements = element_count.created(node, name, args)
        first = args[0] if args else None
        if name in {"tensor", "new_tensor"} and (
            (isinstance(first, Tensor) and (name == "new_tensor" or requires_grad is not Tri.NO))
            or tensor_copy.graph_list(first)
        ):
            tensor_copy.record(self, tensor, node, name, first, requires_grad)
        elif requires_grad is Tri.NO:
            if name == "tensor" and isinstance(first, Tensor):
                self.trace.events.append(
                    TensorFromTensor(
                        site=node,
                        **self._where(),
                        tensor=first,
                        argument=node.args[0].value,
                    )
                )
                tensor.cut_site, tensor.cut_reason = node, "`torch.tensor(...)` of a tensor"
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
                elements=tensor.elements,
            )
        if method == "detach_":
            if tensor.alias_kind == "view" and state.grad_enabled is True:
                self.trace.events.append(
                    DetachViewInplace(site=node, **self._where(), tensor=tensor, call=node)
                )
            return self.updated(
                tensor,
                state,
                requires_grad=Tri.NO,
                is_leaf=Tri.YES,
                node=None,
                cut_site=node,
                cut_reason="`.detach_()`",
            )
        if method == "requires_grad_":
            flag = literal_bool(node.args[0].value) if node.args else Tri.YES
            event = grad_events.requires_grad_set(self, tensor, node, "method", flag)
            if tensor.is_leaf is Tri.YES:
                event.result = self.updated(tensor, state, requires_grad=flag)
                return event.result
            return tensor
        if method in {"item", "tolist", "numpy"}:
            if method == "numpy" and tensor.clone_site is not None:
                self.clone_escape(tensor, "numpy", node, state)
            elif method == "numpy" and _numpy_raises(tensor, node, state):
                self.trace.events.append(
                    NumpyOfGrad(site=node, **self._where(), tensor=tensor, call=node)
                )
            return PlainValue(tensor.prov | {seq}, tensor, node, f"`.{method}()`")
        if method in ops.NON_TENSOR_METHODS:
            return PlainValue(tensor.prov)
        if method in ops.INPLACE_METHODS:
            return self.inplace_write(tensor, node, state, "inplace", method, args)
        if method == "retain_grad":
            grad_events.retain_grad(self, tensor, node)
        if method == "retain_grad" or method == "register_hook":
            return Unknown()
        if method in {"to", "cpu", "cuda", "float", "double", "half", "type"}:
            return grad_events.device_copy(self, tensor, method, node, state) or tensor
        if method in _INTEGER_CASTS and not node.args:
            # an integer or bool copy: such a tensor never requires grad (no grad_fn)
            return Tensor(
                Tri.NO,
                Tri.YES,
                node,
                tensor.prov | {seq},
                cut_site=node,
                cut_reason=f"`.{method}()`",
                elements=tensor.elements,
            )
        if method in ops.NEW_TENSOR_METHODS:
            return self.create(method, node, args, state)  # a fresh leaf, not of this graph
        several = self.tuple_result(tensor, method, node, args, state)
        if several is not None:
            return several
        binary = binary_selection.other_operand(method, node, args, method=True)
        if binary is not None:
            return self._binary_selection(binary, tensor, node, state, passed=1)
        spec = ops.method_op(method)
        if spec is None:
            return Unknown(tensor.prov)
        if spec.kind == "view" or (method == "reshape" and _fresh_contiguous(tensor)):
            return self.view(tensor, node, state, method)
        inputs: list[Value] = [tensor]
        if len(spec.inputs) > 1:
            inputs += args[: len(spec.inputs) - 1]
        complete = call_passes_all(node, len(inputs) - 1)
        result = self.apply_op(spec, inputs, node, state, all_inputs=complete)
        element_count.after_op(result, spec, inputs, node, method=True)
        return result

    def _binary_selection(
        self,
        binary: tuple[ops.OpSpec, Value],
        first: Tensor,
        node: cst.Call,
        state: State,
        passed: int,
    ) -> Tensor:
        """``torch.max(a, b)``: elementwise in both operands (see :mod:`binary_selection`);
        ``passed``: how many of the call's positional arguments the two operands are.
        Where ``b`` is not known to be a tensor it may be a dimension: its requires_grad
        then stays unknown (never ``no``) and no element count is kept."""
        spec, other = binary
        inputs: list[Value] = [first, other]
        complete = call_passes_all(node, passed)
        result = self.apply_op(spec, inputs, node, state, all_inputs=complete)
        if binary_selection.surely_tensor(other):
            element_count.after_op(result, spec, inputs, node, method=False)
        return result

    def tuple_result(
        self, tensor: Tensor, name: str, node: cst.Call, args: list[Value], state: State
    ) -> Value | None:
        """Ops that return several tensors: ``chunk`` / ``split`` / ``unbind`` (views of the
        input, one standing for each), and ``max`` / ``min`` / ``sort`` / ``topk`` along a
        dimension (values that save the indices, and indices that never require grad)."""
        if name in _SPLITTING:
            part = self.view(tensor, node, state, "__getitem__")
            size = args[0] if args else None
            counted = isinstance(size, PlainValue) and type(size.const) is int and size.const > 0
            return Sequence(
                [part], part.prov, homogeneous=True, nonempty=name in _NONEMPTY and counted
            )
        along_dim = name in _SELECTING and (
            name in {"sort", "topk", "kthvalue", "mode"}
            or keyword(node, "dim") is not None
            or any(isinstance(a, PlainValue) for a in args[:1])
        )
        if not along_dim:
            return None
        values = self.apply_op(_SELECTION, [tensor], node, state)
        if values.node is not None:
            values.node.saves_internal = True  # the indices, for the backward
        indices = Tensor(
            Tri.NO,
            Tri.YES,
            node,
            values.prov,
            cut_site=node,
            cut_reason=f"the indices of `{name}`",
        )
        shape = tensor.elements.shape if tensor.elements is not None else None
        if name in {"max", "min"} and shape is not None:
            # ``x.max(1)`` passes every argument but the tensor; ``torch.max(x, 1)`` all but it
            method = len(args) == len(node.args)
            kept = shape_flow.reduced(shape, node, method, name)
            if kept is not None:
                values.elements = indices.elements = ElementCount(
                    shape=kept, reason=f"shape {kept}" if kept else "a scalar"
                )
        return Sequence([values, indices], values.prov)

    def chained(self, node: cst.Call, args: list[Value], state: State) -> Value:
        """``itertools.chain(a, b, ...)``: the items of each iterable in turn. Iterating a
        tensor gives its rows, each a view: ``chain(*net.parameters(), w)`` yields rows of
        the parameters, non-leaves, not the parameters themselves."""
        items: list[Value] = []
        for arg, value in zip(node.args, args, strict=True):
            if arg.keyword is not None or arg.star == "**":
                return Unknown()
            if arg.star == "*":
                if not isinstance(value, Sequence) or value.keys is not None:
                    return Unknown()
                parts = list(value.items)
            else:
                parts = [value]
            for part in parts:
                if isinstance(part, Sequence) and part.keys is None:
                    items.extend(part.items)
                elif isinstance(part, Tensor):
                    items.append(self.view(part, node, state, "__getitem__"))
                else:
                    return Unknown()
        return Sequence(items, frozenset().union(*(provenance(i) for i in items)))

    def reduced(self, node: cst.Call, args: list[Value], state: State) -> Value:
        """``functools.reduce(lambda x, y: x + y, items)`` over a known list of tensors: the
        items added in order (one item: that item itself, as ``reduce`` returns it)."""
        if len(args) != 2 or any(a.star or a.keyword is not None for a in node.args):
            return Unknown()
        items = args[1]
        if not isinstance(items, Sequence) or items.homogeneous or not items.items:
            return Unknown()
        if len(items.items) == 1:
            return items.items[0]
        function = node.args[0].value
        if not (
            isinstance(function, cst.Lambda)
            and isinstance(function.body, cst.BinaryOperation)
            and isinstance(function.body.operator, cst.Add)
            and len(function.params.params) == 2
            and [
                n.value
                for n in (function.body.left, function.body.right)
                if isinstance(n, cst.Name)
            ]
            == [p.name.value for p in function.params.params]
        ):
            return Unknown()
        total = items.items[0]
        for item in items.items[1:]:
            total = self.binary("+", total, item, node, state)
        return total

    def object_method(
        self, receiver: Value, method: str, node: cst.Call, args: list[Value], state: State
    ) -> Value:
        if not isinstance(receiver, Optimizer):
            callbacks.hand_over(args, state)  # ``layer.register_forward_hook(fn)``
        if isinstance(receiver, Optimizer):
            if method == "step" and receiver.params:
                for param in receiver.params:
                    self.inplace_write(param, node, state, "optimizer", "step")
            return Unknown()
        if isinstance(receiver, NNModule):
            if receiver.builtin and receiver.kind in nn_modules.CONTAINER_MODULES:
                if method in {"append", "add_module", "extend", "insert"}:
                    receiver.uniform = False  # what it now holds is not one kind
                if method in {"append", "add_module"} and args:
                    receiver.children.append(args[-1])
                    return receiver
                if method == "values" and receiver.kind == "ModuleDict":
                    return Sequence(list(receiver.children), receiver.prov)
            if method in {"modules", "children"}:
                found = self.submodules(receiver, state, recursive=method == "modules")
                items: list[Value] = [receiver, *found] if method == "modules" else list(found)
                return Sequence(items, receiver.prov, run_each=True)
            if method in {"named_modules", "named_children"}:
                # the same layers, each paired with a name of unknown text
                found = self.submodules(receiver, state, recursive=method == "named_modules")
                layers: list[Value] = (
                    [receiver, *found] if method == "named_modules" else list(found)
                )
                pairs: list[Value] = [
                    Sequence([PlainValue(receiver.prov), layer], receiver.prov) for layer in layers
                ]
                return Sequence(pairs, receiver.prov, run_each=True)
            if method in {"parameters", "buffers"}:
                params = self._module_params(receiver, state)
                if params:
                    return Sequence(list(params), receiver.prov | {self._frame.seq})
                return Sequence(
                    [self._representative_param(receiver)], receiver.prov, homogeneous=True
                )
            if method == "forward" and not receiver.builtin:
                return self.module_call(receiver, node, args, state)
            if method == "requires_grad_":
                self._module_requires_grad(receiver, node, state)
                return receiver
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
            if isinstance(receiver, Sequence):
                return self.container_method(receiver, method, node, args)
        return Unknown()

    def _module_requires_grad(self, module: NNModule, node: cst.Call, state: State) -> None:
        """``vae.requires_grad_(False)``: every parameter the module holds takes the flag
        (unknown unless a literal); nothing the analysis holds keeps the old one."""
        flag = literal_bool(node.args[0].value) if node.args else Tri.YES
        cut = {"cut_site": node, "cut_reason": "`requires_grad_(False)`"}
        for param in self._module_params(module, state):
            new = self.updated(param, state, requires_grad=flag, **(cut if flag is Tri.NO else {}))
            self._replace_in_layers(param, self.held(param, new), state, roots=(module,))

    def container_method(
        self, container: Sequence, method: str, node: cst.Call, args: list[Value]
    ) -> Value:
        """The list and dict methods that move values in and out of a container."""
        seq = self._frame.seq
        if container.homogeneous:
            return Unknown(container.prov)
        if method in {"append", "insert"} and args and container.keys is None:
            value = args[-1]
            container.items.append(value)
            container.prov = container.prov | provenance(value) | {seq}
            return PlainValue(frozenset())
        if method == "extend" and args and container.keys is None:
            added = args[0]
            if isinstance(added, Sequence) and not added.homogeneous:
                container.items.extend(added.items)
                container.open_length = container.open_length or added.open_length
            else:
                # a comprehension (one item stands for all, there may be none) or unknown:
                # what it holds may be in the list, how many items it has is not known
                if isinstance(added, Sequence) and added.items:
                    container.items.append(added.items[0])
                container.open_length = True
            container.prov = container.prov | provenance(added) | {seq}
            return PlainValue(frozenset())
        if method == "pop" and not args and container.keys is None and container.items:
            return container.items[-1]
        if container.keys is not None:
            if method == "values":
                return Sequence(
                    list(container.items), container.prov, open_length=container.open_length
                )
            if method == "items":
                pairs: list[Value] = [
                    Sequence([PlainValue(frozenset()), item], provenance(item))
                    for item in container.items
                ]
                return Sequence(pairs, container.prov, open_length=container.open_length)
            if method == "get" and node.args:
                key = literal_key(node.args[0].value)
                found = container.lookup(key) if key is not None else None
                return found if found is not None else Unknown(container.prov)
        if method == "copy":
            return Sequence(
                list(container.items),
                container.prov,
                keys=container.keys and list(container.keys),
                open_length=container.open_length,
            )
        return Unknown(container.prov)


def _inplace_flag(node: cst.Call) -> bool:
    """``inplace=True`` passed by keyword."""
    flag = keyword(node, "inplace")
    return flag is not None and literal_bool(flag.value) is Tri.YES


_ANOMALY_APIS = frozenset({"set_detect_anomaly", "detect_anomaly"})


def _anomaly_flag(node: cst.Call, name: str) -> Tri:
    """Whether the call turns anomaly mode on: ``detect_anomaly()`` always does (its
    ``check_nan`` only tunes it); ``set_detect_anomaly(mode)`` when ``mode`` is a literal."""
    if name == "detect_anomaly":
        return Tri.YES
    mode = keyword(node, "mode")
    positional = [a for a in node.args if a.keyword is None]
    argument = mode if mode is not None else (positional[0] if positional else None)
    return literal_bool(argument.value) if argument is not None else Tri.UNKNOWN


_NUMPY_CONVERTERS = ops.NUMPY_CONVERTERS
_NUMPY_METHOD_CALLERS = frozenset({"sum", "mean", "prod", "max", "min"})
"""Of those, the ones that call the method of that name on a tensor passed alone
(``np.sum(t)`` is ``t.sum(axis=None)``, a different error): they convert only tensors
inside a list or tuple."""


def _numpy_raises(tensor: Tensor, node: cst.Call, state: State) -> bool:
    """torch refuses ``numpy()`` on a tensor that requires grad while grad mode is on (under
    ``no_grad`` it converts); ``numpy(force=True)`` detaches first."""
    return (
        tensor.requires_grad is Tri.YES
        and state.grad_enabled is True
        and keyword(node, "force") is None
    )


_CONTIGUOUS_MAKERS = frozenset(
    {"stack", "cat", "concat", "randn", "rand", "zeros", "ones", "empty"}
)
"""``torch.<name>(...)`` results are freshly allocated and contiguous."""


def _fresh_contiguous(tensor: Tensor) -> bool:
    """A tensor ``torch.stack`` / ``torch.cat`` / a constructor just made: ``reshape`` of
    it returns a view of it (torch copies only when the strides do not allow a view;
    ``contiguous()`` and a 1-d ``flatten()`` return the tensor itself, so they are not
    counted)."""
    site = tensor.site
    return (
        tensor.alias_kind is None
        and isinstance(site, cst.Call)
        and isinstance(site.func, cst.Attribute)
        and isinstance(site.func.value, cst.Name)
        and site.func.value.value == "torch"
        and site.func.attr.value in _CONTIGUOUS_MAKERS
    )
