"""The Tensor: a numpy array plus the autograd state torch keeps beside it.

The state that decides every pitfall autograd-lint reports lives here:

- ``_version_counter``: bumped by every in-place write. Views and ``detach()`` share it with
  their source; ``.data`` gets a fresh one, which is why writes through ``.data`` go unseen.
- ``_grad_fn`` / ``_requires_grad``: a non-leaf has a node; a leaf has a flag.
- ``_base`` / ``_view_fn``: a view remembers its root tensor and how to cut itself out of it,
  so that an in-place write on the view can rewrite the root's history (``CopySlices``) and a
  write on the root can regenerate the view's ``grad_fn`` (``AsStridedBackward0``).

Operations are attached to the class from the op registry by ``methods.bind`` at import time.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from . import dtypes, grad_mode, messages
from .graph import AccumulateGrad, Array, Edge, Node, make_node

# view kinds
NOT_VIEW = 0
GRAD_VIEW = 1  # created with grad mode on: differentiable, its grad_fn follows the base
NO_GRAD_VIEW = 2  # created under no_grad: in-place on it with grad mode on is an error


class VersionCounter:
    """How many in-place writes a storage has seen; shared by views and ``detach()``."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0


class Size(tuple[int, ...]):
    """``torch.Size``: a tuple that prints like torch's."""

    def __repr__(self) -> str:
        return f"torch.Size([{', '.join(str(n) for n in self)}])"

    def numel(self) -> int:
        return int(np.prod(self, dtype=np.int64))


class RemovableHandle:
    """What ``register_hook`` returns: ``remove()`` unregisters the hook."""

    def __init__(self, table: dict[int, Callable[[Any], Any]], key: int) -> None:
        self._table = table
        self._key = key

    def remove(self) -> None:
        self._table.pop(self._key, None)


class Tensor:
    """A torch-like tensor backed by a numpy array."""

    _data: Array
    _version_counter: VersionCounter
    _requires_grad: bool
    _grad_fn: Node | None
    _grad: Tensor | None
    _accumulator: AccumulateGrad | None
    _base: Tensor | None
    _view_fn: Callable[[Array], Array] | None
    _view_kind: int
    _view_version: int
    _hooks: dict[int, Callable[[Any], Any]]
    _retains_grad: bool
    _retain_node: Node | None
    _inference: bool
    _multi_view: tuple[int, str] | None = None
    """``(output index, node name)`` for one of several views made by one node (``split``):
    a class default, so that ordinary tensors pay nothing for it."""

    __array_priority__ = 1000  # numpy scalars defer to our reflected operators

    def __init__(self, data: Any = None, *, requires_grad: bool = False) -> None:
        if isinstance(data, Tensor):
            self._init_state(data._data)
        else:
            # the legacy constructor ``torch.Tensor([1, 2])`` always makes floats
            arr = np.asarray([] if data is None else data, dtype=dtypes.DEFAULT_FLOAT.np)
            self._init_state(arr)
        if requires_grad:
            self.requires_grad_(True)

    def _init_state(self, data: Array) -> None:
        self._data = data
        self._version_counter = VersionCounter()
        self._requires_grad = False
        self._grad_fn = None
        self._grad = None
        self._accumulator = None
        self._base = None
        self._view_fn = None
        self._view_kind = NOT_VIEW
        self._view_version = 0
        self._hooks = {}
        self._retains_grad = False
        self._retain_node = None
        self._inference = grad_mode.STATE.inference

    @classmethod
    def _wrap(cls, data: Array) -> Tensor:
        """A fresh leaf around ``data`` (no copy)."""
        t = cls.__new__(cls)
        t._init_state(data)
        return t

    # ----------------------------------------------------------------- autograd state
    @property
    def grad_fn(self) -> Node | None:
        """The node that made this tensor; a view's is regenerated after its storage changed."""
        if self._view_kind == GRAD_VIEW and self._view_version != self._version_counter.value:
            base = self._base
            assert base is not None and self._view_fn is not None
            if base.requires_grad and self._multi_view is not None:
                index, node = self._multi_view
                raise RuntimeError(messages.MULTI_VIEW_REBASED.format(index=index, node=node))
            if base.requires_grad:  # torch regenerates (and records the version) only then
                self._view_version = self._version_counter.value
                from .views import as_strided_backward

                self._grad_fn = make_node(
                    "AsStridedBackward0",
                    [base._edge()],
                    as_strided_backward(self._view_fn, base._data.shape),
                )
        return self._grad_fn

    @property
    def requires_grad(self) -> bool:
        # ``_grad_fn``, not ``grad_fn``: reading the flag never regenerates a view's history
        # (nor raises for a rebased multi-output view), as in torch
        if self._requires_grad or self._grad_fn is not None:
            return True
        # torch: a view reports its base's flag, even one made under no_grad (no history)
        return self._base is not None and self._base.requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if not self.is_leaf:
            raise RuntimeError(
                messages.NONLEAF_REQUIRES_GRAD_TRUE if value else messages.NONLEAF_REQUIRES_GRAD
            )
        self._set_leaf_requires_grad(bool(value))

    def _set_leaf_requires_grad(self, value: bool) -> None:
        if value and not self.dtype.is_floating_point:
            raise RuntimeError(messages.FLOAT_ONLY_METHOD)
        self._requires_grad = value

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if not self.is_leaf:
            if requires_grad:
                return self  # torch accepts turning on what is already on
            raise RuntimeError(messages.NONLEAF_REQUIRES_GRAD)
        self._set_leaf_requires_grad(bool(requires_grad))
        return self

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def _edge(self) -> Edge:
        """Where a gradient for this tensor goes: its node, its accumulator, or nowhere."""
        fn = self.grad_fn
        if fn is not None:
            return (fn, 0)
        if self._requires_grad and self._view_kind != NO_GRAD_VIEW:
            if self._accumulator is None:
                self._accumulator = AccumulateGrad(self)
            return (self._accumulator, 0)
        return (None, 0)

    @property
    def grad(self) -> Tensor | None:
        if not self.is_leaf and not self._retains_grad:
            warnings.warn(messages.NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None and value._data.shape != self._data.shape:
            raise RuntimeError(
                messages.ASSIGN_GRAD_SIZE.format(
                    grad=list(value._data.shape), size=list(self._data.shape)
                )
            )
        self._grad = value

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise RuntimeError(messages.RETAIN_GRAD_NO_GRAD)
        if self.is_leaf or self._retains_grad:
            return
        self._retains_grad = True
        self._follow_retained_grad()

    def _follow_retained_grad(self) -> None:
        """Keep ``retain_grad`` on the node that now makes this tensor (after an in-place op)."""
        if not self._retains_grad:
            return
        fn = self.grad_fn
        if fn is self._retain_node:
            return
        if self._retain_node is not None:
            self._retain_node._retained.remove(self)
        if fn is not None:
            fn._retained.append(self)
        self._retain_node = fn

    def register_hook(self, hook: Callable[[Any], Any]) -> RemovableHandle:
        if not self.requires_grad:
            raise RuntimeError(messages.HOOK_NO_GRAD)
        fn = self.grad_fn
        table = self._hooks if fn is None else fn._tensor_hooks
        key = id(hook) ^ len(table)
        while key in table:
            key += 1
        table[key] = hook
        return RemovableHandle(table, key)

    @property
    def data(self) -> Tensor:
        """Same storage, fresh version counter, no history: writes through it go unseen."""
        t = Tensor._wrap(self._data)
        t._inference = self._inference
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data

    @property
    def _version(self) -> int:
        if self._inference:
            raise RuntimeError("Inference tensors do not track version counter.")
        return self._version_counter.value

    def detach(self) -> Tensor:
        """Same storage and version counter, cut from the graph."""
        t = Tensor._wrap(self._data)
        t._version_counter = self._version_counter
        t._inference = self._inference
        return t

    def detach_(self) -> Tensor:
        if self._base is not None:
            raise RuntimeError(messages.DETACH_VIEW)
        self._grad_fn = None
        self._requires_grad = False
        return self

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        from .backward import run_backward

        run_backward([self], [gradient], retain_graph=bool(retain_graph or create_graph))

    # ----------------------------------------------------------------- metadata
    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy(self._data.dtype)

    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._data.shape)
        return int(self._data.shape[dim])

    def dim(self) -> int:
        return int(self._data.ndim)

    @property
    def ndim(self) -> int:
        return int(self._data.ndim)

    def numel(self) -> int:
        return int(self._data.size)

    def nelement(self) -> int:
        return int(self._data.size)

    def element_size(self) -> int:
        return int(self._data.itemsize)

    @property
    def device(self) -> str:
        return "cpu"

    @property
    def is_cuda(self) -> bool:
        return False

    def is_floating_point(self) -> bool:
        return self.dtype.is_floating_point

    def is_contiguous(self) -> bool:
        return bool(self._data.flags.c_contiguous)

    def is_inference(self) -> bool:
        return self._inference

    def _is_view(self) -> bool:
        return self._base is not None

    # ----------------------------------------------------------------- leaving the graph
    def item(self) -> Any:
        if self._data.size != 1:
            raise RuntimeError(messages.ITEM_NOT_SCALAR.format(numel=self._data.size))
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> Array:
        # torch refuses only while grad mode is on: under no_grad the array is handed out
        if self.requires_grad and not force and grad_mode.STATE.grad_enabled:
            raise RuntimeError(messages.NUMPY_REQUIRES_GRAD)
        return self._data

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.dtype.is_floating_point or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return int(self._data.shape[0])

    def __iter__(self) -> Iterator[Tensor]:
        from .views import getitem

        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (getitem(self, i) for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(
            self._data, separator=", ", precision=4, floatmode="maxprec_equal", prefix="tensor("
        )
        extras = []
        if self.dtype not in (dtypes.float32, dtypes.int64, dtypes.bool_):
            extras.append(f"dtype={self.dtype!r}")
        fn = self.grad_fn
        if fn is not None:
            extras.append(f"grad_fn=<{fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        tail = "".join(f", {e}" for e in extras)
        return f"tensor({body}{tail})"

    # ----------------------------------------------------------------- conversions
    def _cast(self, target: dtypes.dtype) -> Tensor:
        from .math_ops import to_dtype

        return to_dtype(self, target)

    def float(self) -> Tensor:
        return self._cast(dtypes.float32)

    def double(self) -> Tensor:
        return self._cast(dtypes.float64)

    def long(self) -> Tensor:
        return self._cast(dtypes.int64)

    def int(self) -> Tensor:
        return self._cast(dtypes.int32)

    def bool(self) -> Tensor:
        return self._cast(dtypes.bool_)

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        target = kwargs.get("dtype")
        for a in args:
            if isinstance(a, dtypes.dtype):
                target = a
        return self if target is None else self._cast(target)

    def cpu(self) -> Tensor:
        return self

    def type_as(self, other: Tensor) -> Tensor:
        return self._cast(other.dtype)

    def type(self, dtype: Any = None, **options: Any) -> Any:
        """``x.type()``: the legacy type name (``'torch.FloatTensor'``); given a dtype, a
        type name or a legacy tensor class, the cast to it (``self`` where it already is)."""
        if dtype is None:
            return f"torch.{self.dtype.tensor_type}"
        target = dtype if isinstance(dtype, dtypes.dtype) else None
        if target is None:
            name = dtype if isinstance(dtype, str) else getattr(dtype, "__name__", "")
            name = name.removeprefix("torch.")
            target = next((d for d in dtypes.ALIASES.values() if d.tensor_type == name), None)
        if target is None:
            raise ValueError(f"invalid type: {dtype!r}")
        return self._cast(target)
