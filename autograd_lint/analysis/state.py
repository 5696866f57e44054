"""The abstract state of one execution path, and how paths join.

Everything the interpreter tracks that can differ between the branches of an ``if`` lives
here, so that a branch works on a copy and the join keeps only what holds on every path
("must" facts): a graph is freed, or a saved tensor stale, only if it is so on all paths.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from autograd_lint.analysis.trace import Backward, DataWrite, InplaceWrite
from autograd_lint.analysis.values import GraphNode, Tensor, Tri, Unknown, Value

MAX_MERGED_DEPTH = 64
"""How far back from a joined value its branches' graphs are matched (a bound on the work
one join does, however long the graphs are)."""


@dataclass
class State:
    env: dict[str, Value] = field(default_factory=dict)
    """Local bindings by name; instance attributes are bound as ``#<instance id>.<attr>``."""
    globals: Mapping[str, Value] = field(default_factory=dict)
    """Read-only fallback (module names seen from a function, the caller's names seen from an
    inlined method): shared, never copied, joined or compared, so a scope costs what its
    own names cost."""
    grad_enabled: bool | None = True
    freed: dict[int, Backward] = field(default_factory=dict)
    """Graph node id -> the backward that freed its saved tensors."""
    writes: dict[int, list[InplaceWrite]] = field(default_factory=dict)
    """Version counter id -> in-place writes, in order."""
    data_writes: dict[int, list[DataWrite]] = field(default_factory=dict)
    """Storage id -> writes through ``.data`` (version counter untouched)."""
    dead: bool = False
    """After return / raise / break / continue: the rest of the block does not run."""

    def copy(self) -> State:
        return State(
            env=dict(self.env),
            globals=self.globals,
            grad_enabled=self.grad_enabled,
            freed=dict(self.freed),
            writes={k: list(v) for k, v in self.writes.items()},
            data_writes={k: list(v) for k, v in self.data_writes.items()},
            dead=self.dead,
        )

    def lookup(self, name: str) -> Value | None:
        value = self.env.get(name)
        return value if value is not None else self.globals.get(name)

    def items_with_prefix(self, prefix: str) -> list[tuple[str, Value]]:
        """Bindings whose names start with ``prefix``, local ones shadowing the fallback."""
        found = _with_prefix(self.globals, prefix)
        found.update((k, v) for k, v in self.env.items() if k.startswith(prefix))
        return list(found.items())


def _with_prefix(names: Mapping[str, Value], prefix: str) -> dict[str, Value]:
    """The bindings of ``names`` whose names start with ``prefix``, in its own order.

    A chain of plain dictionaries (a class body's or an inlined call's view of the module)
    is walked dictionary by dictionary, as ``ChainMap`` walks itself (the same names, order
    and values), without first building the union of all its names: a module's top level
    instantiates each of its classes through such a chain. Any other mapping is walked as
    it walks itself (a function's view of the module notes what it looks up)."""
    if isinstance(names, ChainMap) and _plain_chain(names):
        found: dict[str, Value] = {}
        for part in reversed(names.maps):
            found.update(_with_prefix(part, prefix))
        return found
    return {k: v for k, v in names.items() if k.startswith(prefix)}


def _plain_chain(names: Mapping[str, Value]) -> bool:
    if type(names) is dict:
        return True
    return type(names) is ChainMap and all(_plain_chain(part) for part in names.maps)


def join(states: list[State]) -> State:
    """The facts that hold on every live path."""
    live = [s for s in states if not s.dead]
    if not live:
        result = states[0].copy() if states else State()
        result.dead = True
        return result
    if len(live) == 1:
        return live[0]
    first, rest = live[0], live[1:]
    env: dict[str, Value] = {}
    merged: dict[tuple[int, ...], GraphNode | None] = {}
    for name, value in first.env.items():
        others = [s.env.get(name) for s in rest]
        if all(o is value for o in others):
            env[name] = value
        else:
            env[name] = join_values([value, *others], merged)
    modes = {s.grad_enabled for s in live}
    return State(
        env=env,
        globals=first.globals,
        grad_enabled=modes.pop() if len(modes) == 1 else None,
        freed={k: v for k, v in first.freed.items() if all(k in s.freed for s in rest)},
        writes=_intersect(first.writes, [s.writes for s in rest]),
        data_writes=_intersect(first.data_writes, [s.data_writes for s in rest]),
    )


W = TypeVar("W", InplaceWrite, DataWrite)


def _intersect(first: dict[int, list[W]], rest: list[dict[int, list[W]]]) -> dict[int, list[W]]:
    result: dict[int, list[W]] = {}
    for key, items in first.items():
        kept = [w for w in items if all(any(w is x for x in other.get(key, ())) for other in rest)]
        if kept:
            result[key] = kept
    return result


def join_values(
    values: list[Value | None], merged: dict[tuple[int, ...], GraphNode | None] | None = None
) -> Value:
    """Two different values for one name: keep only the facts they share. Where every
    branch made its tensor by the same op at the same site (the same line of one callee,
    reached from two calls), the graph they agree on is kept: see :func:`merged_node`.
    ``merged`` memoises the nodes matched in one join, so two names whose graphs meet (a
    model's output and its logits) still meet after it."""
    tensors = [v for v in values if isinstance(v, Tensor)]
    if len(tensors) != len(values) or not tensors:
        return Unknown()
    first = tensors[0]
    requires_grad = first.requires_grad
    is_leaf = first.is_leaf
    for t in tensors[1:]:
        requires_grad = requires_grad.join(t.requires_grad)
        is_leaf = is_leaf.join(t.is_leaf)
    prov = frozenset().union(*(t.prov for t in tensors))
    joined = Tensor(
        requires_grad=requires_grad,
        is_leaf=is_leaf,
        site=first.site,
        prov=prov,
        label=first.label,
    )
    if requires_grad is Tri.NO:
        joined.cut_site = first.cut_site
        joined.cut_reason = first.cut_reason
    elif requires_grad is Tri.YES and is_leaf is Tri.NO:
        nodes = [t.node for t in tensors]
        if all(n is not None for n in nodes):
            known = [n for n in nodes if n is not None]
            memo = merged if merged is not None else {}
            joined.node = merged_node(known, memo, 0) or _common_ancestor(known, first.site)
    return joined


MAX_ANCESTOR_SEARCH = 512
"""Nodes visited, at most, to find one path's node in another's graph."""


def _common_ancestor(nodes: list[GraphNode], site: object) -> GraphNode | None:
    """Where one path's node is in every other path's graph (``y = f(x)`` on one branch,
    ``x`` itself on the other: ``if x.dim() == 2: x = x.unsqueeze(1)``), a node that saves
    nothing and leads to it: what every path's value reaches, and no more."""
    for candidate in nodes:
        if all(other is candidate or _reaches(other, candidate) for other in nodes):
            return GraphNode("join", site, (candidate,))  # type: ignore[arg-type]
    return None


def _reaches(start: GraphNode, wanted: GraphNode) -> bool:
    seen: set[int] = set()
    stack = [start]
    while stack and len(seen) < MAX_ANCESTOR_SEARCH:
        node = stack.pop()
        if node is wanted:
            return True
        if node.id in seen:
            continue
        seen.add(node.id)
        stack.extend(node.parents)
    return False


def merged_node(
    nodes: list[GraphNode], memo: dict[tuple[int, ...], GraphNode | None], depth: int
) -> GraphNode | None:
    """One node standing for the nodes several paths made by the same op at the same site.

    On every path the real node exists, has that op, and holds saved tensors if each of them
    does, so a backward through the joined value frees it and a later one reaches it on
    every path: the "must" facts AG004 reads. Its parents are those the paths share (the
    same node) or that match again; a parent only some paths have is dropped, so the node
    never reaches more than every path does. Nothing it saved is kept (which tensor differs
    by path), so no stale-write fact comes from it."""
    first = nodes[0]
    if all(n is first for n in nodes):
        return first
    key = tuple(n.id for n in nodes)
    if key in memo:
        return memo[key]
    if depth > MAX_MERGED_DEPTH or any(n.op != first.op or n.site is not first.site for n in nodes):
        memo[key] = None
        return None
    node = GraphNode(
        first.op,
        first.site,
        (),
        saves_internal=all(n.holds_saved for n in nodes),
    )
    memo[key] = node
    parents: list[GraphNode] = []
    if all(len(n.parents) == len(first.parents) for n in nodes):
        for group in zip(*(n.parents for n in nodes), strict=True):
            parent = merged_node(list(group), memo, depth + 1)
            if parent is not None:
                parents.append(parent)
    node.parents = tuple(parents)
    return node
