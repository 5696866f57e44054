"""Graph nodes (``grad_fn``), saved tensors and leaf accumulators.

A node is what torch calls a backward function: it has a name (``MulBackward0``), edges to the
nodes of its inputs (``next_functions``), the tensors it saved, and a rule turning the gradient
of its output into gradients of its inputs. Each node gets its own Python class named after it,
so ``type(t.grad_fn).__name__`` reads as in torch.

Saved tensors are kept by reference, not copied: a write through ``.data`` (which does not bump
the version counter) is then seen by backward, which is exactly how torch computes a silently
wrong gradient. A write that does bump the counter is caught when the node unpacks it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Optional

import numpy as np

from . import messages

if TYPE_CHECKING:
    import numpy.typing as npt

    from .tensor import Tensor

    Array = npt.NDArray[Any]
else:
    Array = np.ndarray  # numpy.typing is for the type checker: importing it costs a replay
Edge = tuple[Optional["Node"], int]
Grads = Sequence[Array | None]
BackwardFn = Callable[["Node", Array], Grads]

_SEQUENCE = itertools.count()
_CLASSES: dict[str, type[Node]] = {}


def describe(t: Tensor, shape: tuple[int, ...] | None = None) -> str:
    """``[torch.FloatTensor [2, 3]]`` as torch prints a tensor in autograd errors (a saved
    tensor with the shape it had when saved: a later ``unsqueeze_`` does not change it)."""
    dims = ", ".join(str(n) for n in (t._data.shape if shape is None else shape))
    return f"[torch.{t.dtype.tensor_type} [{dims}]]"


def short_name(node: Node) -> str:
    """``SigmoidBackward0`` -> ``Sigmoid``, ``PowBackward1`` -> ``Pow1``, as torch's error spells it."""
    if node.name() == "CopySlices":
        return "torch::autograd::CopySlices"  # a C++ class torch names with its namespace
    return re.sub(r"Backward0?$", "", node.name()).replace("Backward", "")


class SavedTensor:
    """A tensor a node needs in backward, with the version it had when saved.

    ``snapshot`` holds a copy instead: an in-place op that needs the old value of the tensor it
    overwrites saves a clone, which no later write can invalidate.
    """

    __slots__ = ("is_output", "owner", "shape", "snapshot", "tensor", "version")

    def __init__(self, tensor: Tensor, *, is_output: bool = False, snapshot: bool = False) -> None:
        self.tensor = tensor
        self.version = tensor._version_counter.value
        self.shape: tuple[int, ...] = tensor._data.shape
        self.is_output = is_output
        self.snapshot: Array | None = tensor._data.copy() if snapshot else None
        self.owner: Node | None = None

    def unpack(self) -> Array:
        if self.snapshot is not None:
            return self.snapshot
        t = self.tensor
        current = t._version_counter.value
        if current != self.version:
            msg = _modified_message(t, self, current)
            raise RuntimeError(msg)
        return t._data


def _modified_message(t: Tensor, saved: SavedTensor, current: int) -> str:
    fn = saved.owner if saved.is_output else t.grad_fn
    which = f", which is output 0 of {short_name(fn)}," if fn is not None else ""
    return (
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {describe(t, saved.shape)}{which} is at version {current}; expected version "
        f"{saved.version} instead. {messages.MODIFIED_HINT}"
    )


class Node:
    """A backward function in the graph. Single-output: every op the engine records has one."""

    _name = "Node"

    def __init__(
        self,
        next_functions: Sequence[Edge],
        backward: BackwardFn,
        saved: dict[str, SavedTensor] | None = None,
    ) -> None:
        self.next_functions: tuple[Edge, ...] = tuple(next_functions)
        self._backward = backward
        self._saved: dict[str, SavedTensor] = saved or {}
        for s in self._saved.values():
            s.owner = self
        self._released = False
        self._sequence_nr = next(_SEQUENCE)
        self._tensor_hooks: dict[int, Callable[[Any], Any]] = {}
        self._retained: list[Tensor] = []
        self.shape: tuple[int, ...] | None = None
        """The shape of the tensor this node made, when recorded (torch's input metadata:
        a gradient of another shape arriving here is refused)."""

    def name(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"<{self._name} object at {id(self):#x}>"

    def unpack_saved(self) -> dict[str, Array]:
        """All saved tensors, checked, as torch's generated backward unpacks them first."""
        if self._released and self._saved:
            raise RuntimeError(messages.SECOND_BACKWARD)
        return {key: s.unpack() for key, s in self._saved.items()}

    def apply(self, grad: Array) -> Grads:
        saved = self.unpack_saved()
        self._current_saved = saved
        try:
            return self._backward(self, grad)
        finally:
            self._current_saved = {}

    def saved(self, key: str) -> Array:
        """A saved value inside the backward rule (only keys the op saved exist)."""
        return self._current_saved[key]

    def release(self) -> None:
        """Free the saved tensors (what backward without ``retain_graph`` does)."""
        self._released = True
        for s in self._saved.values():
            s.snapshot = None

    _current_saved: dict[str, Array]


def node_class(name: str) -> type[Node]:
    """The Node subclass called ``name`` (created once, reused)."""
    cls = _CLASSES.get(name)
    if cls is None:
        cls = type(name, (Node,), {"_name": name})
        _CLASSES[name] = cls
    return cls


def make_node(
    name: str,
    next_functions: Sequence[Edge],
    backward: BackwardFn,
    saved: dict[str, SavedTensor] | None = None,
) -> Node:
    return node_class(name)(next_functions, backward, saved)


class AccumulateGrad(Node):
    """The sink of a leaf that requires grad: runs the leaf's hooks, then adds into ``.grad``."""

    _name = "AccumulateGrad"

    def __init__(self, variable: Tensor) -> None:
        super().__init__((), _no_backward)
        self.variable = variable
        self.shape = variable._data.shape
        # torch runs leaf accumulation as soon as it is ready.
        self._sequence_nr = 1 << 62

    def accumulate(self, grad: Array) -> None:
        from .tensor import Tensor

        var = self.variable
        for hook in list(var._hooks.values()):
            result = hook(Tensor._wrap(grad))
            if result is not None:
                grad = result._data
        if var._grad is None:
            var._grad = Tensor._wrap(np.array(grad, dtype=var._data.dtype, copy=True))
        else:
            # torch adds in place (backward runs without grad mode): ``.grad`` keeps its identity.
            var._grad._data += grad.astype(var._grad._data.dtype)
            var._grad._version_counter.value += 1


def _no_backward(node: Node, grad: Array) -> Grads:
    return ()
