"""Abstract values: what the analyzer knows about each Python value it follows.

Facts are three-valued (:class:`Tri`): a rule may only rest on ``YES`` / ``NO``;
``UNKNOWN`` keeps it silent. Tensors carry the autograd facts (requires_grad, leaf,
storage and version-counter identity, grad_fn node); graph nodes carry what they saved.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import libcst as cst

_ids = itertools.count(1)


def fresh_id() -> int:
    return next(_ids)


class Tri(enum.Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"

    @staticmethod
    def of(value: bool | None) -> Tri:
        return Tri.UNKNOWN if value is None else (Tri.YES if value else Tri.NO)

    def join(self, other: Tri) -> Tri:
        return self if self is other else Tri.UNKNOWN


def any_yes(values: list[Tri]) -> Tri:
    """requires_grad of an op result from its inputs' (grad mode on)."""
    if any(v is Tri.YES for v in values):
        return Tri.YES
    if all(v is Tri.NO for v in values):
        return Tri.NO
    return Tri.UNKNOWN


@dataclass(eq=False, repr=False)
class SavedRef:
    """A tensor some graph node saved for backward, and when (statement sequence number)."""

    tensor: Tensor
    seq: int
    site: cst.CSTNode
    role: str
    """``output`` or the input's name (``self``, ``other``, ``input``...)."""
    order: int = field(default_factory=fresh_id)
    """When it was saved, relative to writes (several can happen in one statement)."""


@dataclass(eq=False, repr=False)
class GraphNode:
    """A recorded op (a ``grad_fn``). ``saved`` are the tensors its backward needs."""

    op: str
    site: cst.CSTNode
    parents: tuple[GraphNode, ...]
    saved: list[SavedRef] = field(default_factory=list)
    saves_internal: bool = False
    id: int = field(default_factory=fresh_id)
    result: Tensor | None = None
    """The tensor this node is the ``grad_fn`` of (it names the state a fix detaches)."""
    leaves: frozenset[int] | None = None
    """Storages of the leaves that require grad its backward reaches, where every operand
    of every op on the way is known (:mod:`~autograd_lint.analysis.graph_leaves`)."""

    @property
    def holds_saved(self) -> bool:
        """A second backward through this node fails once it has been freed."""
        return bool(self.saved) or self.saves_internal

    def reachable(self) -> list[GraphNode]:
        """This node and every node its backward reaches, each once."""
        seen: dict[int, GraphNode] = {}
        stack = [self]
        while stack:
            node = stack.pop()
            if node.id in seen:
                continue
            seen[node.id] = node
            stack.extend(node.parents)
        return list(seen.values())


AliasKind = Literal["detach", "view", "data"]


@dataclass(frozen=True, eq=False)
class NoGradArm:
    """One arm of an ``if`` with an unknown test on which a tensor surely does not require
    grad: ``if avg_factor <= 0: loss = torch.tensor(0.0)``. The path is real (the program
    takes it whenever the test says so), so a backward reached from that arm surely raises."""

    test: cst.BaseExpression
    taken: bool
    """True: the ``if`` body; False: its ``else`` (or the fall-through without one)."""
    site: cst.CSTNode
    """Where the tensor without grad was made on that arm."""
    depth: int
    """How many uncertain branches and loops enclosed the ``if``: a backward nested deeper
    (under a test of its own) may be guarded against that path, and is not reported."""

    def same_path(self, other: NoGradArm) -> bool:
        """The same arm of the same ``if`` (the sites made on it may differ)."""
        return self.test is other.test and self.taken == other.taken


@dataclass(eq=False, repr=False)
class Tensor:
    """A tensor value and its autograd facts."""

    requires_grad: Tri
    is_leaf: Tri
    site: cst.CSTNode
    """The expression that made it."""
    prov: frozenset[int]
    """Sequence numbers of the statements that made it (its provenance slice)."""
    node: GraphNode | None = None
    storage: int = field(default_factory=fresh_id)
    vc: int = field(default_factory=fresh_id)
    """Version counter identity: shared by views and ``detach()``, not by ``.data``."""
    alias_of: Tensor | None = None
    alias_kind: AliasKind | None = None
    cut_site: cst.CSTNode | None = None
    """Where the gradient was cut, for tensors that do not require grad."""
    cut_reason: str = ""
    clone_site: cst.CSTNode | None = None
    """Set when this is ``t.clone()`` of a tensor that requires grad."""
    clone_of: Tensor | None = None
    """For such a clone: ``t``."""
    from_clone: Tensor | None = None
    """For a tensor computed from such a clone and from nothing else that requires grad
    (``next_q.max(1)[0]``, ``r + 0.9 * next_q``): the clone. Used as a loss target, it
    carries the clone's graph there as the clone itself would."""
    is_param: bool = False
    label: str = ""
    """Source text that names it, for messages."""
    elements: ElementCount | None = None
    """Its element count where known (see :class:`ElementCount`)."""
    no_grad_when: NoGradArm | None = None
    """For a tensor whose ``requires_grad`` is unknown only because an ``if`` joined paths:
    the arm on which it surely does not require grad (see ``analysis/branch_facts.py``)."""

    def data_base(self) -> Tensor | None:
        """For a ``.data`` alias (or an alias of one), the tensor ``.data`` was read from."""
        current: Tensor | None = self
        while current is not None and current.alias_of is not None:
            if current.alias_kind == "data":
                return current.alias_of
            current = current.alias_of
        return None


if TYPE_CHECKING:
    from autograd_lint.analysis.project import ForeignModule


@dataclass(eq=False, repr=False)
class ModuleRef:
    """An imported module or a dotted name inside one (``torch``, ``torch.nn.functional.relu``)."""

    qualname: str


@dataclass(eq=False, repr=False)
class NNModule:
    """An object on the heap: an ``nn.Module`` instance (a built-in layer or loss, or a user
    subclass) or, with ``is_module`` false, an instance of any other class of the project.

    A user instance's attributes live in the state as ``#<id>.<attr>`` bindings, so that they
    follow the flow (branches, loops, methods) like any local name.
    """

    kind: str
    """``torch.nn`` class name, or the user class name."""
    builtin: bool
    params: list[Tensor]
    prov: frozenset[int]
    site: cst.CSTNode
    saves_input: bool = False
    has_parameters: bool = True
    is_module: bool = True
    children: list[Value] = field(default_factory=list)
    """For ``nn.Sequential`` / ``nn.ModuleList``: the submodules, in order."""
    uniform: bool = False
    """The children stand for any number of like submodules, ``children[0]`` for each
    (``nn.ModuleList([Block() for _ in range(n)])``): ``layers[i]`` is such a one."""
    inplace: bool = False
    """An activation built with ``inplace=True``: calling it writes its input in place."""
    known_kind: bool = True
    """False for an ``nn`` class the registry does not describe: whether it has parameters
    (so whether its output requires grad) is unknown."""
    cls: UserClass | None = None
    """For an instance of a project class: that class (its methods are looked up there)."""
    arguments: list[Value] = field(default_factory=list)
    """For a built-in layer or loss: the values of its constructor's arguments, one for each
    of ``site.args`` (``nn.CrossEntropyLoss(reduction=red)`` with ``red`` a known string)."""


@dataclass(eq=False, repr=False)
class Optimizer:
    """A ``torch.optim`` optimizer; ``params`` are known when built from a known module."""

    params: list[Tensor] | None
    prov: frozenset[int]


@dataclass(eq=False, repr=False)
class PlainValue:
    """A non-tensor Python value: a number from ``.item()``, an array from ``.numpy()``..."""

    prov: frozenset[int]
    from_tensor: Tensor | None = None
    cut_site: cst.CSTNode | None = None
    cut_reason: str = ""
    is_none: bool = False
    """The value is ``None`` (a literal, or a parameter whose default ``None`` was kept)."""
    const: int | bool | str | float | None = None
    """A number, truth value or string known before the program runs (a literal, or a name or
    attribute bound to one): it decides ``range(n)``, ``if flag:`` and ``if mode == "G":``."""


@dataclass(eq=False, repr=False)
class Sequence:
    """A tuple, list or dict on the heap, or ``model.parameters()`` (``items`` may be a
    representative). Containers are shared objects, as in Python: what one path appends is
    seen on every path that holds the container (its items are "may be" facts)."""

    items: list[Value]
    prov: frozenset[int]
    homogeneous: bool = False
    """``items[0]`` stands for every element (parameters of a module, a comprehension)."""
    keys: list[str | None] | None = None
    """For a dict: the key of each item (``None`` where it is not a literal string)."""
    run_each: bool = False
    """A loop over it runs its body once for each item, in order, however many there are:
    ``model.modules()``, whose items are distinct objects a body tells apart by type."""
    nonempty: bool = False
    """It surely holds one item or more, however many it stands for: ``t.split(n)`` and
    ``t.chunk(n)`` give at least one chunk, even of an empty tensor, so a loop over them
    surely runs."""
    open_length: bool = False
    """It may hold more items than ``items`` lists, or none of them: it was extended with
    a sequence whose items are not known one by one (``xs.extend(c for c in cs if ...)``),
    so its length is not known."""
    fixed: bool = False
    """Its items are exactly ``items`` and nothing can add to them: a ``range`` of known
    bounds (``range(1, 1)`` is surely empty: a loop over it never runs)."""

    def lookup(self, key: str) -> Value | None:
        """The item a dict holds under a literal key, if that is known."""
        if self.keys is None or None in self.keys:
            return None
        for item_key, item in zip(reversed(self.keys), reversed(self.items), strict=True):
            if item_key == key:
                return item
        return None

    def store(self, key: str | None, value: Value) -> None:
        """``d[key] = value`` (``key`` None: not a literal, it may be any key)."""
        if self.keys is None:
            return
        if key is not None and key in self.keys:
            self.items[self.keys.index(key)] = value
            return
        self.keys.append(key)
        self.items.append(value)


@dataclass(eq=False, repr=False)
class UserClass:
    """A class defined in the file; ``is_module`` when it subclasses ``nn.Module``."""

    name: str
    is_module: bool
    attributes: dict[str, Value]
    node: cst.ClassDef | None = None
    bases: list[UserClass] = field(default_factory=list)
    """Base classes defined in the project, in declaration order (others are not followed)."""
    scope: Mapping[str, Value] | None = None
    """The names its methods' bodies resolve free names in (where the class was defined)."""
    builtin_base: str | None = None
    """The ``torch.nn`` layer it extends (``class C(nn.Conv2d)``), itself or through a base:
    its ``weight`` / ``bias`` and its ``forward`` come from there."""
    origin: ForeignModule | None = None
    """The other module of the project it was defined in (``None``: the file analysed)."""

    def method(self, name: str) -> tuple[cst.FunctionDef, UserClass] | None:
        """The definition ``name`` resolves to through the class and its project bases."""
        for cls in self.mro():
            if cls.node is None:
                continue
            for statement in cls.node.body.body:
                if isinstance(statement, cst.FunctionDef) and statement.name.value == name:
                    return statement, cls
        return None

    def mro(self) -> list[UserClass]:
        """Depth-first, left to right, each class once (enough for single inheritance and
        the usual mixins; the project's classes only)."""
        order: list[UserClass] = []
        stack: list[UserClass] = [self]
        while stack:
            cls = stack.pop(0)
            if all(cls is not seen for seen in order):
                order.append(cls)
                stack[0:0] = cls.bases
        return order


@dataclass(eq=False, repr=False)
class UserFunction:
    """A function, lambda or method defined in the project, as a value that can be called.

    ``scope`` is the environment it was defined in (its free names resolve there, as
    Python's closures do); ``bound_self`` is set for a bound method (``self.loss_fn``).
    """

    name: str
    node: cst.FunctionDef | cst.Lambda | None = None
    scope: Mapping[str, Value] | None = None
    bound_self: Value | None = None
    owner: UserClass | None = None
    """The class a method was found in (``super()`` inside it starts after it)."""
    origin: ForeignModule | None = None
    """The other module of the project it was defined in (``None``: the file analysed)."""


@dataclass(eq=False, repr=False)
class ProjectModule:
    """A module of the project bound by ``import utils`` / ``from pkg import sub``: its names
    are what running its top level bound (``exports``), or its own submodules."""

    foreign: ForeignModule
    exports: Mapping[str, Value]
    submodule: Callable[[str], Value | None] | None = None
    """Resolves ``pkg.sub`` for a package whose ``__init__`` does not bind ``sub``."""

    def attribute(self, name: str) -> Value | None:
        found = self.exports.get(name)
        if found is None and self.submodule is not None:
            found = self.submodule(name)
        return found


@dataclass(eq=False, repr=False)
class DeferredImport:
    """A name another project module imports (``from .layers import DropPath`` run for an
    importer): that module is run only when the name is used."""

    importer: str
    """Path of the module whose import statement it is."""
    module: str
    level: int
    name: str | None
    """The name imported from ``module``; ``None``: the module itself."""
    site: cst.CSTNode


@dataclass(eq=False, repr=False)
class SuperRef:
    """``super()`` inside a method of ``owner`` called on ``instance``."""

    instance: Value
    owner: UserClass


@dataclass(eq=False, repr=False)
class Unknown:
    """Nothing is known; rules stay silent about it."""

    prov: frozenset[int] = frozenset()


Value = (
    Tensor
    | ModuleRef
    | NNModule
    | Optimizer
    | PlainValue
    | Sequence
    | UserClass
    | UserFunction
    | ProjectModule
    | DeferredImport
    | SuperRef
    | Unknown
)

UNKNOWN = Unknown()


def provenance(value: Value) -> frozenset[int]:
    return getattr(value, "prov", frozenset())


@dataclass(frozen=True, eq=False, repr=False)
class ElementCount:
    """What is known of a tensor's element count (AG009 rests on it).

    ``backward()`` without ``gradient=`` needs exactly one element: torch raises for any other
    count, zero included. ``shape`` is the exact shape where every size is a literal;
    ``not_one`` says the count is surely not one even where the shape is not known (a
    ``Linear`` with ``out_features=5`` gives ``5 * batch`` elements); ``unreduced`` is the
    ``reduction="none"`` loss a per-element tensor comes from, whose count depends on the
    batch. ``reason`` words the fact for messages.
    """

    shape: tuple[int, ...] | None = None
    not_one: bool = False
    unreduced: cst.CSTNode | None = None
    reason: str = ""

    @property
    def one(self) -> bool:
        """Surely a single element (a scalar or a ``(1,)`` tensor)."""
        if self.shape is None:
            return False
        count = 1
        for size in self.shape:
            count *= size
        return count == 1
