"""View ops: results that share storage and version counter with their input.

A view is described by a *step*: a function cutting the view out of its input's array with
plain numpy indexing/transposition, so the same step applied to a fresh array of the input's
shape gives the view's position in it. Backward of every view op (and of the regenerated
``AsStridedBackward0``) scatters the gradient back through that step; ``CopySlices`` does the
same for in-place writes into a view. One mechanism, no per-op index arithmetic.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import grad_mode, messages
from .dispatch import apply_inplace, record, unbroadcast, wants
from .graph import Array, BackwardFn, Grads, Node, make_node
from .tensor import GRAD_VIEW, NO_GRAD_VIEW, Tensor

Step = Callable[[Array], Array]


def _positions(shape: tuple[int, ...], step: Step) -> Array:
    """For each element of the view, its flat index in an array of ``shape``."""
    return np.asarray(step(np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)))


def scatter_back(grad: Array, shape: tuple[int, ...], step: Step) -> Array:
    """The gradient of a view's input: ``grad`` added at the view's positions, zero elsewhere."""
    out = np.zeros(int(np.prod(shape)), dtype=grad.dtype)
    np.add.at(out, _positions(shape, step), grad)
    return out.reshape(shape)


def _view_backward(step: Step, shape: tuple[int, ...]) -> BackwardFn:
    def backward(node: Node, grad: Array) -> Grads:
        return (scatter_back(grad, shape, step),)

    return backward


def as_strided_backward(view_fn: Step, base_shape: tuple[int, ...]) -> BackwardFn:
    return _view_backward(view_fn, base_shape)


def make_view(src: Tensor, step: Step, name: str) -> Tensor:
    """A view of ``src`` cut by ``step``, sharing storage and version counter."""
    out = Tensor._wrap(step(src._data))
    out._version_counter = src._version_counter
    out._inference = src._inference
    root = src._base if src._base is not None else src
    parent = src._view_fn
    out._view_fn = step if parent is None else _compose(parent, step)
    out._base = root
    if src._multi_view is not None:  # torch keeps the restriction, naming the newest view
        out._multi_view = (0, re.sub(r"Backward\d*$", "", name))
    if grad_mode.STATE.grad_enabled:
        out._view_kind = GRAD_VIEW
        out._view_version = src._version_counter.value
        if src.requires_grad:
            out._grad_fn = make_node(name, [src._edge()], _view_backward(step, src._data.shape))
    else:
        out._view_kind = NO_GRAD_VIEW
    return out


def _compose(first: Step, then: Step) -> Step:
    return lambda a: then(first(a))


class CopySlices(Node):
    """The base's node after an in-place write into one of its views.

    Its gradient is the base's gradient with the view's region replaced by what the in-place
    op's backward makes of it; the op's other inputs get their gradients from that region.
    """

    _name = "CopySlices"

    def __init__(self, base_edge: Any, fn: Node, view_fn: Step, shape: tuple[int, ...]) -> None:
        super().__init__([base_edge, *fn.next_functions[1:]], _copy_slices_unused)
        self.fn = fn
        self.view_fn = view_fn
        self.base_shape = shape
        self.shape = shape

    def apply(self, grad: Array) -> Grads:
        if self._released:
            # torch drops the in-place op's node on release, whatever it saved
            raise RuntimeError(messages.SECOND_BACKWARD)
        positions = _positions(self.base_shape, self.view_fn)
        result = np.array(grad, copy=True, order="C").reshape(-1)
        region = result[positions]
        fn_grads = list(self.fn.apply(region))
        own = fn_grads[0] if fn_grads else None
        result[positions] = 0 if own is None else own
        return (result.reshape(self.base_shape), *fn_grads[1:])

    def release(self) -> None:
        super().release()
        self.fn.release()


def _copy_slices_unused(node: Node, grad: Array) -> Grads:
    raise AssertionError("CopySlices.apply is overridden")


def copy_slices(base: Tensor, view: Tensor, fn: Node) -> Node:
    assert view._view_fn is not None
    return CopySlices(base._edge(), fn, view._view_fn, base._data.shape)


# --------------------------------------------------------------------------- view ops
def view(self: Tensor, *shape: Any) -> Tensor:
    size = _shape_args(shape)
    target = _resolve(size, self._data.size)
    if not _can_view(self._data, target):
        raise RuntimeError(messages.VIEW_INCOMPATIBLE)
    return make_view(self, lambda a: a.reshape(target), "ViewBackward0")


def _shape_args(shape: Sequence[Any]) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], tuple | list):
        return tuple(int(n) for n in shape[0])
    return tuple(int(n) for n in shape)


def _resolve(shape: tuple[int, ...], numel: int) -> tuple[int, ...]:
    if -1 in shape:
        known = int(np.prod([n for n in shape if n != -1]))
        shape = tuple(numel // known if n == -1 else n for n in shape)
    if int(np.prod(shape)) != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _can_view(a: Array, shape: tuple[int, ...]) -> bool:
    """Whether numpy can reshape ``a`` without copying (torch's ``view`` condition)."""
    try:
        np.reshape(a, shape, copy=False)
    except ValueError:
        return False
    return True


def reshape(self: Tensor, *shape: Any) -> Tensor:
    target = _resolve(_shape_args(shape), self._data.size)
    if _can_view(self._data, target):
        return make_view(self, lambda a: a.reshape(target), "ViewBackward0")
    return _copying_reshape(self, target)


def _copying_reshape(self: Tensor, target: tuple[int, ...]) -> Tensor:
    """torch's ``reshape`` of a non-viewable tensor: ``clone()`` then an unsafe view."""
    from .math_ops import clone

    return unsafe_view(clone(self), target)


def unsafe_view(self: Tensor, target: tuple[int, ...]) -> Tensor:
    """A reshape torch does not track as a view (``UnsafeViewBackward0``)."""
    shape = self._data.shape

    def backward(node: Node, grad: Array) -> Grads:
        return (grad.reshape(shape),)

    return record("UnsafeViewBackward0", self._data.reshape(target), [self], backward)


def flatten(self: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    shape = self._data.shape
    if len(shape) == 0:
        return reshape(self, 1)
    s, e = start_dim % len(shape), end_dim % len(shape)
    if s == e:
        return self
    target = (*shape[:s], int(np.prod(shape[s : e + 1])), *shape[e + 1 :])
    return reshape(self, target)


def contiguous(self: Tensor) -> Tensor:
    if self._data.flags.c_contiguous:
        return self
    from .math_ops import clone

    return clone(self)


def t(self: Tensor) -> Tensor:
    if self._data.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {self._data.ndim}D"
        )
    return make_view(self, lambda a: a.T, "TBackward0")


def transpose(self: Tensor, dim0: int, dim1: int) -> Tensor:
    return make_view(self, lambda a: np.swapaxes(a, dim0, dim1), "TransposeBackward0")


def permute(self: Tensor, *dims: Any) -> Tensor:
    order = _shape_args(dims)
    return make_view(self, lambda a: np.transpose(a, order), "PermuteBackward0")


def unsqueeze(self: Tensor, dim: int) -> Tensor:
    d = dim % (self._data.ndim + 1)
    return make_view(self, lambda a: np.expand_dims(a, d), "UnsqueezeBackward0")


def squeeze(self: Tensor, dim: int | None = None) -> Tensor:
    if dim is None:
        return make_view(self, np.squeeze, "SqueezeBackward0")
    d = dim % max(self._data.ndim, 1)
    if self._data.ndim == 0 or self._data.shape[d] != 1:
        return make_view(self, lambda a: a, "SqueezeBackward1")
    return make_view(self, lambda a: np.squeeze(a, d), "SqueezeBackward1")


def expand(self: Tensor, *sizes: Any) -> Tensor:
    want = _shape_args(sizes)
    lead = len(want) - self._data.ndim
    target = tuple(self._data.shape[i - lead] if n == -1 else n for i, n in enumerate(want))
    if int(np.prod(target)) == self._data.size:
        # only size-1 dims: a plain (writable) view, as torch allows writes through it
        return make_view(self, lambda a: a.reshape(target), "ExpandBackward0")
    return make_view(self, lambda a: np.broadcast_to(a, target), "ExpandBackward0")


def expand_as(self: Tensor, other: Tensor) -> Tensor:
    return expand(self, *other._data.shape)


# --------------------------------------------------------------------------- indexing
def _is_basic(index: Any) -> bool:
    return index is None or index is Ellipsis or isinstance(index, int | slice)


def _full(s: slice) -> bool:
    return s.start is None and s.stop is None and s.step is None


def getitem(self: Tensor, index: Any) -> Tensor:
    """``t[index]``: basic indexing is a chain of views named as torch names them."""
    if (
        isinstance(index, Tensor)
        and index._data.ndim == 0
        and not index.dtype.is_floating_point
        and index.dtype.name != "bool"
    ):
        index = int(index.item())
    if _is_basic(index):
        if isinstance(index, slice) and self._data.ndim == 0:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        if isinstance(index, slice):
            return make_view(self, lambda a: a[index], "SliceBackward0")
        return _basic_chain(self, (index,))
    if isinstance(index, tuple) and all(_is_basic(i) for i in index):
        return _basic_chain(self, index)
    return _advanced(self, index)


def _basic_chain(self: Tensor, index: tuple[Any, ...]) -> Tensor:
    """Apply a tuple of ints, slices, None and ``...`` left to right, one view each."""
    n_real = sum(1 for i in index if isinstance(i, int | slice))
    ndim = self._data.ndim
    if ndim == 0 and any(isinstance(i, int) for i in index):
        raise IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
            "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
        )
    if n_real > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    out = self
    dim = 0
    selected = 0
    """Dimensions the ints before this point took away (torch numbers the original's)."""
    applied = False
    for item in index:
        if item is Ellipsis:
            dim += out._data.ndim - dim - (n_real - _consumed(index, item))
            continue
        if item is None:
            out = make_view(out, _unsqueeze_step(dim), "UnsqueezeBackward0")
            dim += 1
        elif isinstance(item, int):
            step = _select_step(dim, item, out._data.shape, dim + selected)
            out = make_view(out, step, "SelectBackward0")
            selected += 1
        elif _full(item):
            dim += 1
            continue
        else:
            out = make_view(out, _slice_step(dim, item), "SliceBackward0")
            dim += 1
        applied = True
    if not applied:
        out = make_view(out, lambda a: a, "AliasBackward0")
    return out


def _consumed(index: tuple[Any, ...], stop: Any) -> int:
    count = 0
    for i in index:
        if i is stop:
            break
        if isinstance(i, int | slice):
            count += 1
    return count


def _unsqueeze_step(dim: int) -> Step:
    return lambda a: np.expand_dims(a, dim)


def _select_step(dim: int, i: int, shape: tuple[int, ...], named: int) -> Step:
    """``a[..., i]`` at ``dim`` of the current view; ``named`` is that dimension's number in
    the tensor indexed, which torch's message gives."""
    if dim >= len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    size = shape[dim]
    if not -size <= i < size:
        raise IndexError(f"index {i} is out of bounds for dimension {named} with size {size}")
    key: Any = (slice(None),) * dim + (i, Ellipsis)  # the Ellipsis keeps a 0-d result a view
    return lambda a: a[key]


def _slice_step(dim: int, s: slice) -> Step:
    key = (slice(None),) * dim + (s,)
    return lambda a: a[key]


def _np_index(index: Any) -> Any:  # numpy's index types are too narrow to spell here
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, tuple):
        return tuple(_np_index(i) for i in index)
    return index


def _checked_index(self: Tensor, index: Any) -> Any:
    """The numpy key for an index of tensors, checked first as torch checks it: index
    tensors must be integers or bools, a mask must match the dimensions it covers, and a
    position must lie in its dimension (numbered among the index tensors, as torch numbers
    it once the indexed dimensions come first)."""
    parts = index if isinstance(index, tuple) else (index,)
    shape = self._data.shape
    dim = 0
    indexed = 0
    for part in parts:
        if part is None:
            continue
        if part is Ellipsis:
            dim += len(shape) - sum(_width(p) for p in parts)
            continue
        if isinstance(part, Tensor):
            if part.dtype.is_floating_point:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if part.dtype.name == "bool":
                _check_mask(part._data.shape, shape, dim)
            else:
                _check_positions(part._data, shape, dim, indexed)
            indexed += 1
        dim += _width(part)
    return _np_index(index)


def _width(part: Any) -> int:
    """How many dimensions of the indexed tensor one part of an index covers."""
    if part is None or part is Ellipsis:
        return 0
    if isinstance(part, Tensor) and part.dtype.name == "bool":
        return max(part._data.ndim, 1)
    return 1


def _check_mask(mask: tuple[int, ...], shape: tuple[int, ...], dim: int) -> None:
    for k, size in enumerate(mask):
        if dim + k >= len(shape) or shape[dim + k] != size:
            raise IndexError(
                f"The shape of the mask [{', '.join(map(str, mask))}] at index {k} does not "
                f"match the shape of the indexed tensor [{', '.join(map(str, shape))}] at "
                f"index {dim + k}"
            )


def _check_positions(positions: Array, shape: tuple[int, ...], dim: int, indexed: int) -> None:
    if dim >= len(shape) or positions.size == 0:
        return  # numpy reports too many indices as torch does
    size = shape[dim]
    for position in positions.reshape(-1).tolist():
        if not -size <= position < size:
            raise IndexError(
                f"index {position} is out of bounds for dimension {indexed} with size {size}"
            )


def _advanced(self: Tensor, index: Any) -> Tensor:
    """Indexing with tensors, lists or masks: a copy (``IndexBackward0``) that saves the index
    tensors. As in torch, slices beside them are applied first, as views."""
    if isinstance(index, tuple) and all(isinstance(i, slice) or not _is_basic(i) for i in index):
        slices = tuple(i if isinstance(i, slice) else slice(None) for i in index)
        if not all(_full(i) for i in slices):
            sliced = _basic_chain(self, slices)
            rest = tuple(slice(None) if isinstance(i, slice) else i for i in index)
            return _advanced(sliced, rest)
    key = _checked_index(self, index)
    parts = index if isinstance(index, tuple) else (index,)
    saves = {f"indices{n}": t for n, t in enumerate(parts) if isinstance(t, Tensor)}
    shape = self._data.shape
    data = np.array(self._data[key], copy=True)

    def backward(node: Node, grad: Array) -> Grads:
        out = np.zeros(shape, dtype=grad.dtype)
        np.add.at(out, key, grad)
        return (out,)

    return record("IndexBackward0", data, [self], backward, save=saves)


def _whole(self: Tensor, index: Any) -> bool:
    """An index of slices (and at most one ``...``) each covering its whole dimension with
    step 1: ``t[:]``, ``t[...]``, ``t[:, :]``, ``t[0:len(t)]``."""
    parts = index if isinstance(index, tuple) else (index,)
    if not all(isinstance(p, slice) or p is Ellipsis for p in parts) or parts.count(Ellipsis) > 1:
        return False
    shape = self._data.shape
    if Ellipsis in parts:
        at = parts.index(Ellipsis)
        before, after = parts[:at], parts[at + 1 :]
        dims = [*range(len(before)), *range(len(shape) - len(after), len(shape))]
        parts = before + after
    else:
        dims = list(range(len(parts)))
    if len(parts) > len(shape):
        return False
    return all(
        isinstance(p, slice) and p.indices(shape[d]) == (0, shape[d], 1)
        for p, d in zip(parts, dims, strict=True)
    )


def _check_target(self: Tensor, index: Any, value: Any) -> None:
    """What torch checks of ``t[index] = value``, for basic indexing, before the write
    itself (so before its leaf check): that the index fits the tensor, then that the value expands to the
    indexed shape (its leading dimensions of size 1 dropped)."""
    try:
        target = np.shape(self._data[_np_index(index)])
    except IndexError as error:
        text = str(error)
        if text.startswith("too many indices"):
            raise IndexError(
                f"too many indices for tensor of dimension {self._data.ndim}"
            ) from None
        raise IndexError(text.replace(" axis ", " dimension ")) from None
    if not isinstance(value, Tensor):
        return
    sizes = list(value._data.shape)
    while len(sizes) > len(target) and sizes[0] == 1:
        sizes.pop(0)
    for offset in range(1, min(len(sizes), len(target)) + 1):
        have, want = sizes[-offset], target[-offset]
        if have != want and have != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({want}) must match the existing size "
                f"({have}) at non-singleton dimension {len(target) - offset}.  Target sizes: "
                f"{list(target)}.  Tensor sizes: {sizes}"
            )


def setitem(self: Tensor, index: Any, value: Any) -> None:
    """``t[index] = value``: a view then ``copy_`` for basic indexing, ``index_put_`` otherwise."""
    from .inplace_ops import copy_

    basic = _is_basic(index) or (isinstance(index, tuple) and all(_is_basic(i) for i in index))
    if basic:  # an index of tensors (``index_put_``) checks the leaf first
        _check_target(self, index, value)
    if basic and _whole(self, index):
        copy_(self, value)  # torch skips slices that cover their dimension: no view is made
        return
    if basic:
        copy_(getitem(self, index), value)
        return
    key = _checked_index(self, index)
    src = value if isinstance(value, Tensor) else None

    def compute() -> Tensor:
        data = self._data.copy()
        data[key] = value._data if isinstance(value, Tensor) else value

        def backward(node: Node, grad: Array) -> Grads:
            g_self = grad.copy()
            g_self[key] = 0
            g_src = None
            if wants(node, 1) and src is not None:
                g_src = unbroadcast(np.asarray(grad[key]), src._data.shape)
            return (g_self, g_src)

        return record("IndexPutBackward0", data, [self, src], backward)

    apply_inplace(self, [src], compute)
