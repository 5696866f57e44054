"""Recording an op in the graph, the way torch's autograd layer does around each kernel.

``record`` wraps a computed array as the op's result and, when grad mode is on and an input
requires grad, gives it a node that saves what the op registry says the op saves.
``apply_inplace`` runs an op's out-of-place form and writes the result into its receiver,
with torch's checks (leaf, view of leaf, view made under ``no_grad``, inference tensor), the
version bump, and the rewrite of history (the receiver's node, or ``CopySlices`` on its base).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ... import ops as registry
from . import dtypes, grad_mode, messages
from .graph import Array, BackwardFn, Node, SavedTensor, make_node
from .tensor import GRAD_VIEW, NO_GRAD_VIEW, Tensor

Operand = Tensor | float | int | bool


def is_recording(*inputs: object) -> bool:
    """Whether an op over ``inputs`` is recorded: grad mode on and some input requires grad."""
    if not grad_mode.STATE.grad_enabled:
        return False
    return any(isinstance(t, Tensor) and t.requires_grad for t in inputs)


def registry_saves(op: str, inputs: Sequence[object]) -> dict[str, Tensor]:
    """The inputs ``op`` saves for backward, by the registry's rules and who requires grad."""
    spec = registry.spec_of(op)
    flags = tuple(isinstance(t, Tensor) and t.requires_grad for t in inputs)
    saved: dict[str, Tensor] = {}
    for i in spec.saved_inputs(flags):
        t = inputs[i]
        if isinstance(t, Tensor):
            saved[spec.inputs[i]] = t
        elif isinstance(t, int | float | bool):
            # torch wraps a Python number into a tensor and saves it (``x * 2`` saves the 2):
            # its version never changes, but a second backward through the node fails
            saved[spec.inputs[i]] = Tensor._wrap(np.asarray(t))
    return saved


def record(
    name: str,
    data: Array,
    edges: Sequence[object],
    backward: BackwardFn,
    *,
    save: Mapping[str, Tensor] | None = None,
    save_output: bool = False,
) -> Tensor:
    """Wrap ``data`` as a result; give it a node ``name`` when the op is recorded.

    ``edges`` are the op's inputs in the node's edge order; non-tensors (wrapped Python numbers)
    get an empty edge, as in torch.
    """
    out = Tensor._wrap(data)
    if not is_recording(*edges):
        return out
    saved: dict[str, SavedTensor] = {}
    for key, t in (save or {}).items():
        if t._inference:
            raise RuntimeError(messages.INFERENCE_SAVED)
        saved[key] = SavedTensor(t)
    if save_output:
        saved["result"] = SavedTensor(out, is_output=True)
    next_functions = [e._edge() if isinstance(e, Tensor) else (None, 0) for e in edges]
    out._grad_fn = make_node(name, next_functions, backward, saved)
    out._grad_fn.shape = out._data.shape
    return out


def record_op(
    op: str,
    data: Array,
    inputs: Sequence[object],
    backward: BackwardFn,
    *,
    name: str | None = None,
    edges: Sequence[object] | None = None,
) -> Tensor:
    """``record`` with the node name and saving rules read from the op registry."""
    spec = registry.spec_of(op)
    node_name = name or spec.backward_node
    assert node_name is not None, op
    return record(
        node_name,
        data,
        inputs if edges is None else edges,
        backward,
        save=registry_saves(op, inputs),
        save_output=spec.saves_output,
    )


def wants(node: Node, index: int) -> bool:
    """Whether the gradient of input ``index`` is needed (its edge leads somewhere)."""
    return node.next_functions[index][0] is not None


def unbroadcast(grad: Array, shape: tuple[int, ...]) -> Array:
    """Sum a broadcast gradient back to an input's shape."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def array_of(x: Operand) -> Array:
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def result_dtype(*operands: object) -> dtypes.dtype:
    """torch's promoted dtype for an op over tensors and Python numbers."""
    dims: list[dtypes.dtype] = []
    zero: list[dtypes.dtype] = []
    scalars: list[object] = []
    for x in operands:
        if isinstance(x, Tensor):
            (dims if x._data.ndim else zero).append(x.dtype)
        elif x is not None:
            scalars.append(x)
    return dtypes.promote(dims, zero, scalars)


def float_dtype(*operands: object) -> dtypes.dtype:
    """The result dtype of an op that always gives floats (``div``, ``exp``, ``mean``)."""
    d = result_dtype(*operands)
    return d if d.is_floating_point else dtypes.DEFAULT_FLOAT


def _short(d: dtypes.dtype) -> str:
    return d.tensor_type.removesuffix("Tensor")


def check_inplace(target: Tensor, others: Sequence[object]) -> None:
    """torch's checks before an in-place write, in torch's order."""
    if not is_recording(target, *others):
        return
    if target._base is not None:
        if target._view_kind == NO_GRAD_VIEW:
            raise RuntimeError(messages.NO_GRAD_VIEW_INPLACE)
        if target._multi_view is not None:
            index, node = target._multi_view
            raise RuntimeError(messages.MULTI_VIEW_INPLACE.format(index=index, node=node))
        base = target._base
        if target.requires_grad and base.is_leaf:
            raise RuntimeError(messages.VIEW_OF_LEAF_INPLACE)
    if target.is_leaf and target._requires_grad:
        raise RuntimeError(messages.LEAF_INPLACE)


def apply_inplace(
    target: Tensor, others: Sequence[object], compute: Callable[[], Tensor]
) -> Tensor:
    """Write ``compute()`` (the op's out-of-place result) into ``target``, as torch's ``op_``."""
    check_inplace(target, others)
    result = compute()
    if np.broadcast_shapes(result._data.shape, target._data.shape) != target._data.shape:
        raise RuntimeError(
            f"output with shape {list(target._data.shape)} doesn't match the broadcast shape "
            f"{list(np.broadcast_shapes(result._data.shape, target._data.shape))}"
        )
    if result._data.dtype != target._data.dtype:
        got, want = dtypes.from_numpy(result._data.dtype), target.dtype
        if not want.is_floating_point and (
            got.is_floating_point or (want is dtypes.bool_ and got is not dtypes.bool_)
        ):
            raise RuntimeError(
                f"result type {_short(got)} can't be cast to the desired output type {_short(want)}"
            )
    if not target._data.flags.writeable:
        raise RuntimeError(messages.OVERLAPPING_WRITE)
    node = result._grad_fn
    if node is not None:
        # torch saves a clone of the receiver's old value where backward needs it; another
        # input that merely aliases the receiver is saved as is (and goes stale)
        for key, saved in node._saved.items():
            if key in ("self", "input") and saved.tensor is target:
                saved.snapshot = target._data.copy()
    np.copyto(target._data, np.broadcast_to(result._data, target._data.shape), casting="unsafe")
    if target._inference and not grad_mode.STATE.inference:
        # torch writes first and refuses at the version bump
        raise RuntimeError(messages.INFERENCE_INPLACE)
    target._version_counter.value += 1
    if node is None:
        return target
    for saved in node._saved.values():
        if saved.is_output:
            saved.tensor = target
            saved.version = target._version_counter.value
    if target._base is not None and target._view_kind == GRAD_VIEW:
        from .views import copy_slices

        base = target._base
        base._grad_fn = copy_slices(base, target, node)
        target._grad_fn = None  # regenerated from the base on next access
        target._view_version = -1
    else:
        target._grad_fn = node
    target._follow_retained_grad()
    if target._base is not None:
        target._base._follow_retained_grad()
    return target
