"""The backward pass: torch's engine, single-threaded.

Nodes run when every gradient for them has arrived, most recently created first (torch's
ready-queue order), with leaf accumulation as soon as it is ready. Without ``retain_graph``
each node frees its saved tensors after running, so a second pass through a node that saved
something fails with torch's message, while nodes that saved nothing (``add``, ``sum``) can run
again, exactly as in torch.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np

from . import messages
from .graph import AccumulateGrad, Array, Node
from .tensor import Size, Tensor


def _root_grad(t: Tensor, g: Tensor | None, index: int) -> Array:
    if g is None:
        if t._data.size != 1:
            raise RuntimeError(messages.IMPLICIT_SCALAR)
        return np.ones_like(t._data)
    if g._data.shape != t._data.shape:
        raise RuntimeError(
            messages.GRAD_SHAPE.format(
                index=index, grad=list(Size(g._data.shape)), out=list(Size(t._data.shape))
            )
        )
    return g._data.astype(t._data.dtype)


@np.errstate(all="ignore")
def run_backward(
    tensors: Sequence[Tensor],
    grad_tensors: Sequence[Tensor | None],
    *,
    retain_graph: bool,
    inputs: Sequence[Tensor] | None = None,
) -> list[Array | None]:
    """Propagate from ``tensors``; accumulate into leaves, or (``inputs``) capture and return."""
    roots: list[tuple[Node, Array]] = []
    for i, (t, g) in enumerate(zip(tensors, grad_tensors, strict=True)):
        if not t.requires_grad:
            raise RuntimeError(messages.NO_GRAD_FN.format(index=i))
        root_grad = _root_grad(t, g, i)
        node = t._edge()[0]
        if node is not None:
            roots.append((node, root_grad))

    capture: dict[Node, list[int]] = {}
    if inputs is not None:
        for i, inp in enumerate(inputs):
            if not inp.requires_grad:
                raise RuntimeError(messages.INPUT_NO_GRAD)
            node = inp._edge()[0]
            if node is not None:
                capture.setdefault(node, []).append(i)

    deps: dict[Node, int] = {}
    order: list[Node] = []
    seen: set[Node] = set()
    stack = [n for n, _ in roots]
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        for nxt, _ in node.next_functions:
            if nxt is not None:
                deps[nxt] = deps.get(nxt, 0) + 1
                stack.append(nxt)

    needed: set[Node] | None = None
    if inputs is not None:
        needed = _needed(order, set(capture))

    results: list[Array | None] = [None] * (len(inputs) if inputs is not None else 0)
    buffers: dict[Node, Array] = {}
    for node, root_g in roots:
        buffers[node] = buffers[node] + root_g if node in buffers else root_g
    ready: list[tuple[int, int, Node]] = []
    tie = 0
    for node in {n for n, _ in roots}:
        if deps.get(node, 0) == 0:
            heapq.heappush(ready, (-node._sequence_nr, tie, node))
            tie += 1

    while ready:
        _, _, node = heapq.heappop(ready)
        grad: Array | None = buffers.pop(node, None)
        outputs: Sequence[Array | None] = ()
        if grad is not None:
            grad = _tensor_hooks(node, grad)
            if node in capture:
                for i in capture[node]:
                    results[i] = grad
            if isinstance(node, AccumulateGrad):
                if inputs is None:
                    node.accumulate(grad)
            elif needed is None or node in needed:
                outputs = node.apply(grad)
                if not retain_graph:
                    node.release()
        for i, (nxt, _) in enumerate(node.next_functions):
            if nxt is None:
                continue
            out = outputs[i] if i < len(outputs) else None
            if out is not None:
                _check_shape(node, i, nxt, out)
                buffers[nxt] = buffers[nxt] + out if nxt in buffers else np.asarray(out)
            deps[nxt] -= 1
            if deps[nxt] == 0:
                heapq.heappush(ready, (-nxt._sequence_nr, tie, nxt))
                tie += 1
    return results


def _needed(order: list[Node], targets: set[Node]) -> set[Node]:
    """Nodes ``grad`` must run: those with an edge leading to a captured node.

    A captured node itself only receives its gradient; it runs (and unpacks what it saved)
    only if another captured node lies below it, as in torch.
    """
    reach = set(targets)
    needed: set[Node] = set()
    changed = True
    while changed:
        changed = False
        for node in order:
            if node not in needed and any(
                n in reach for n, _ in node.next_functions if n is not None
            ):
                needed.add(node)
                reach.add(node)
                changed = True
    return needed


def _tensor_hooks(node: Node, grad: Array) -> Array:
    """Hooks registered on the non-leaf tensor this node made, then ``retain_grad``."""
    for hook in list(node._tensor_hooks.values()):
        result = hook(Tensor._wrap(grad))
        if result is not None:
            grad = result._data
    for t in node._retained:
        if t._grad is None:  # first backward: a copy; later ones accumulate
            t._grad = Tensor._wrap(np.array(grad, copy=True))
        else:
            t._grad = Tensor._wrap(t._grad._data + grad)
    return grad


def _check_shape(node: Node, index: int, nxt: Node, grad: Array) -> None:
    """torch's check of a gradient against the shape the receiving node's tensor had when
    it was recorded: a shape neither side broadcasts to (a ``t_()`` made under no_grad
    after the graph was built) is an error."""
    want = nxt.shape
    got = np.shape(grad)
    if want is None or got == want:
        return
    try:
        np.broadcast_shapes(got, want)
    except ValueError:
        raise RuntimeError(
            f"Function {node.name()} returned an invalid gradient at index {index} - got "
            f"{list(got)} but expected shape compatible with {list(want)}"
        ) from None
