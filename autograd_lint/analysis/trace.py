"""The trace: autograd events the interpreter observed, each with its CST node.

Rules read events; they never walk the tree. Each event carries the facts that held when it
happened (a backward knows which saved tensors were stale, which nodes were freed), so a
rule only decides how to word and rank the finding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, TypeVar

import libcst as cst

from autograd_lint.analysis.positions import Positions
from autograd_lint.analysis.project import ForeignModule
from autograd_lint.analysis.values import (
    GraphNode,
    NNModule,
    Optimizer,
    SavedRef,
    Tensor,
    Tri,
    Value,
    fresh_id,
)
from autograd_lint.diagnostics import Diagnostic, Range


@dataclass(eq=False, repr=False)
class Event:
    site: cst.CSTNode
    """The node a diagnostic is reported on."""
    seq: int
    """Sequence number of the statement being executed."""
    statement: cst.CSTNode
    scope: str
    order: int = field(default_factory=fresh_id, kw_only=True)
    """Position among everything the interpreter observed (finer than ``seq``)."""

    def rank(self) -> int:
        """How much this event shows; the highest of repeated events at one site is kept."""
        return 0


@dataclass(eq=False, repr=False)
class DataWrite(Event):
    """A write through ``.data``: invisible to autograd's version counter."""

    target: Tensor
    """The tensor ``.data`` was read from."""
    how: Literal["assign", "inplace", "setitem", "augassign"]
    method: str = ""
    """In-place method name, e.g. ``mul_``."""
    via_name: bool = False
    """Written through a name bound to ``t.data`` rather than ``t.data`` itself."""
    receiver: cst.BaseExpression | None = None
    """The ``t.data`` expression for the direct form (the fix rewrites it)."""
    value: cst.BaseExpression | None = None
    """The assigned value for ``t.data = v``."""
    silently_stale: bool = False
    """Set later when a backward used a saved tensor this write changed."""
    stale_backward: Backward | None = None
    prov: frozenset[int] = frozenset()
    """Provenance of the alias written through (``raw = t.data`` ... ``raw.zero_()``)."""
    value_requires_grad: Tri = Tri.NO
    """Whether the value written carries a graph (``w.data = F.normalize(w)``)."""
    value_from_target: bool = False
    """The value written was computed from the target itself (``w.data = F.normalize(w)``),
    not copied in from other tensors (a fresh layer given fused weights)."""
    value_prov: frozenset[int] = frozenset()
    """Statements that made the tensors written (their provenance slices, joined)."""
    in_forward: bool = False
    """The write runs inside a module's ``forward`` (or a call made from it)."""
    grad_enabled: bool | None = True
    """Grad mode at the write."""

    def rank(self) -> int:
        return int(self.silently_stale)

    @property
    def receiver_name(self) -> str | None:
        """``p`` for a write through ``p.data``."""
        receiver = self.receiver
        if isinstance(receiver, cst.Attribute) and isinstance(receiver.value, cst.Name):
            return receiver.value.value
        return None


@dataclass(eq=False, repr=False)
class InplaceWrite(Event):
    """An in-place op (method, ``[...] =``, augmented assignment) bumping a version counter."""

    target: Tensor
    how: Literal["inplace", "setitem", "augassign", "optimizer"]
    method: str = ""


@dataclass(eq=False, repr=False)
class StaleSave:
    """A saved tensor whose version changed after it was saved."""

    node: GraphNode
    saved: SavedRef
    write: InplaceWrite | DataWrite


@dataclass(eq=False, repr=False)
class Backward(Event):
    """``t.backward()``, ``torch.autograd.backward(t)`` or ``torch.autograd.grad(t, ...)``."""

    tensor: Value
    api: Literal["method", "autograd.backward", "autograd.grad"]
    retain_graph: Tri
    requires_grad: Tri
    call: cst.Call
    freed: list[tuple[GraphNode, Backward]] = field(default_factory=list)
    """Nodes holding saved tensors that an earlier backward freed."""
    stale: list[StaleSave] = field(default_factory=list)
    in_loop: bool = False
    loop: cst.For | cst.While | None = None
    """The innermost loop around the call, if any."""
    loop_started: int = 0
    """Order number at which that loop started: graph nodes with a larger id were built in it."""
    uncertain: int = 0
    """How many uncertain branches and loops enclose the call (see :class:`NoGradArm`)."""
    whole: bool = False
    """Run from the module's top level (directly or in a followed call), not in a function
    analysed alone: every later use of what the backward filled in is analysed too."""

    def rank(self) -> int:
        return 2 * bool(self.freed) + bool(self.stale)


@dataclass(eq=False, repr=False)
class CloneEscape(Event):
    """A clone of a tensor that requires grad used where a constant was meant."""

    tensor: Tensor
    how: Literal[
        "loss-target",
        "loss-target-from",
        "snapshot-list",
        "snapshot-dict",
        "snapshot-attribute",
        "snapshot-step",
        "numpy",
    ]


@dataclass(eq=False, repr=False)
class TensorFromTensor(Event):
    """``torch.tensor(t)`` for a tensor ``t`` (torch warns); also ``x.new_tensor(t)``
    (``copier``) and ``torch.tensor([a, b])`` of tensors that require grad (``of_list``:
    ``tensor`` is one that requires grad). ``keeps_flag``: ``requires_grad=`` was passed."""

    tensor: Tensor
    argument: cst.BaseExpression
    copier: str = "torch.tensor"
    of_list: bool = False
    keeps_flag: bool = False
    sources: frozenset[int] = frozenset()
    """For ``of_list``: the statements that made every item of the list (a witness makes
    them all, as the file does)."""


# --- AG009, AG011, AG012, AG014: tensor API misuse and anomaly mode -------------------------


@dataclass(eq=False, repr=False)
class NumpyOfGrad(Event):
    """``t.numpy()`` in grad mode on a tensor that requires grad (torch raises). A clone's
    ``.numpy()`` is a :class:`CloneEscape` instead (AG005 owns it). ``implicit`` names the
    numpy function that converts it without a ``.numpy()`` in sight (``np.sum([loss_a,
    loss_b])``, ``np.array(t)``)."""

    tensor: Tensor
    call: cst.Call
    implicit: str = ""


@dataclass(eq=False, repr=False)
class DetachViewInplace(Event):
    """``v.detach_()`` on a view (torch raises "Can't detach views in-place")."""

    tensor: Tensor
    call: cst.Call


@dataclass(eq=False, repr=False)
class DiscardedDetach(Event):
    """``h.detach()`` as a statement of its own: the result is thrown away, ``h`` keeps its
    history (``tensor``, which requires grad)."""

    tensor: Tensor
    call: cst.Call


@dataclass(eq=False, repr=False)
class AnomalyMode(Event):
    """``torch.autograd.set_detect_anomaly(...)`` or ``torch.autograd.detect_anomaly()``."""

    call: cst.Call
    api: Literal["set_detect_anomaly", "detect_anomaly"]
    enabled: Tri
    """Whether it turns anomaly mode on (a literal ``True``; unknown for a variable)."""


E = TypeVar("E", bound=Event)


@dataclass(eq=False, repr=False)
class ForeignSite:
    """A call in the analysed file that runs code of another module of the project."""

    call: cst.CSTNode
    """The call expression (or the statement, for a call without one)."""
    statement: cst.CSTNode
    """The analysed file's statement it belongs to."""
    module: ForeignModule | None = None
    """For a statement of the other module: that module."""


@dataclass(repr=False)
class Trace:
    module: cst.Module
    source: str
    events: list[Event] = field(default_factory=list)
    statements: dict[int, tuple[cst.CSTNode, bool | None]] = field(default_factory=dict)
    """Executed simple statements by sequence number, with the grad mode they ran under."""
    bindings: dict[int, dict[str, Value]] = field(default_factory=dict)
    """Names each executed statement bound, and to what (witness placeholders use them)."""
    inputs: dict[int, dict[str, Value]] = field(default_factory=dict)
    """Parameters bound when a statement's call was followed into a method body."""
    input_calls: dict[int, dict[str, cst.CSTNode | None]] = field(default_factory=dict)
    """For each of those: the call that bound it."""
    rebound_inputs: set[int] = field(default_factory=set)
    """Statements whose calls bound one parameter name to different values (two calls of
    one function in a statement): a witness cannot write both bindings as one script."""
    returned_by: dict[cst.CSTNode, int] = field(default_factory=dict)
    """A followed call whose body ended at one ``return`` -> that statement (a witness
    writes the call as the value that ``return`` computed)."""
    called_from: dict[int, int] = field(default_factory=dict)
    """Statements run inside a followed call -> the statement that made the call."""
    selves: dict[int, NNModule] = field(default_factory=dict)
    """Statements run inside a method -> the instance ``self`` was (two instances of a
    class, or two classes naming an attribute alike, get different names in a witness)."""
    input_literals: dict[int, dict[str, cst.BaseExpression]] = field(default_factory=dict)
    """Of those, the ones bound to a literal argument or default, and that literal."""
    want_witnesses: bool = True
    """Witnesses cost a slice and a render per finding: only built when a replay will use them."""
    finished_after: dict[int, int] = field(default_factory=dict)
    """For statements whose calls ran other statements: the last of those."""
    owner: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    """Each evaluated expression -> the statement it belongs to."""
    constants: dict[cst.CSTNode, int | bool | str | float | None] = field(default_factory=dict)
    """Attribute reads that gave one known constant (``args.lambda_adv = 1.0`` read as
    ``args.lambda_adv``), ``None`` where two contexts disagree: a witness writes the value."""
    foreign: dict[cst.CSTNode, ForeignSite] = field(default_factory=dict)
    """Statements of other project modules run by a followed call -> the call in this file
    that first ran them (with their module)."""
    dependencies: dict[str, str] = field(default_factory=dict)
    """Project modules the analysis read (imported, directly or not): path -> SHA-256."""
    stopped_at: cst.CSTNode | None = None
    """The statement at which the file's statement budget ran out (the analysis of what was
    left of it was skipped)."""
    elsewhere_only: list[Diagnostic] = field(default_factory=list)
    """Findings on another module's code that rest on nothing in this file (a write that is
    wrong wherever it is called from): that module's own check reports them."""
    foreign_lines: set[int] = field(default_factory=set)
    """Lines of this file where nodes of other modules were placed (their calls' lines)."""
    line_offset: int = 0
    """Lines of the file before :attr:`source` (one segment of a large file): ranges are
    the source's own, the lines that messages name are the file's."""
    _positions: Positions | None = None
    _kinds: tuple[int, int, dict[type, list[int]]] | None = None
    """The events' places by their class, for the events list of that identity and length
    (events are only ever appended): each rule asks for a few kinds of event."""

    def range_of(self, node: cst.CSTNode) -> Range:
        """Source range of a node (statement positions are computed once, on first use). A
        node of another module is placed at the call in this file that ran it."""
        if self._positions is None:
            self._positions = Positions(self.module, self.source)
        owner, site = self._statement_of(node)
        if site is not None:
            placed = self._positions.range(site.call, site.statement)
            self.foreign_lines.update(range(placed.start_line, placed.end_line + 1))
            return placed
        return self._positions.range(node, owner)

    def foreign_location(self, node: cst.CSTNode) -> tuple[ForeignModule, Range] | None:
        """For a node of another project module: that module and where the node is in it."""
        owner, site = self._statement_of(node)
        if site is None or site.module is None:
            return None
        return site.module, site.module.range_of(node, owner)

    def _statement_of(self, node: cst.CSTNode) -> tuple[cst.CSTNode | None, ForeignSite | None]:
        """The statement a node belongs to, and, for one of another module, its call here."""
        owner = node if isinstance(node, cst.BaseStatement) else self.owner.get(node)
        site = self.foreign.get(owner) if owner is not None and self.foreign else None
        return owner, site

    def code_of(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def _events_of(self, kind: type) -> list[Event]:
        """The events that are instances of ``kind``, in their order."""
        events = self.events
        known = self._kinds
        if known is None or known[0] != id(events) or known[1] != len(events):
            places: dict[type, list[int]] = {}
            for place, event in enumerate(events):
                places.setdefault(type(event), []).append(place)
            known = self._kinds = (id(events), len(events), places)
        lists = [found for cls, found in known[2].items() if issubclass(cls, kind)]
        if len(lists) == 1:
            return [events[place] for place in lists[0]]
        return [events[place] for place in sorted(p for found in lists for p in found)]

    def of_type(self, kind: type[E]) -> list[E]:
        """Events of one kind, one per site: a loop body runs more than once, and where the
        passes differ the most telling event is kept (``rank`` orders them)."""
        best: dict[int, E] = {}
        for event in self._events_of(kind):
            if isinstance(event, kind):
                key = id(event.site)
                current = best.get(key)
                if current is None or event.rank() > current.rank():
                    best[key] = event
        return list(best.values())


@dataclass(eq=False, repr=False)
class GradRead(Event):
    """A read of ``t.grad`` (torch warns when ``t`` is a non-leaf that does not retain it)."""

    tensor: Tensor
    attribute: cst.Attribute


@dataclass(eq=False, repr=False)
class RetainGrad(Event):
    """``t.retain_grad()`` on a known tensor. ``storages`` are those of the tensors it may
    apply to (a loop target stands for every item it is bound to in turn)."""

    storages: frozenset[int]


@dataclass(eq=False, repr=False)
class LeafInplace(Event):
    """An in-place write whose target is a leaf that requires grad, or a view of one."""

    target: Tensor
    leaf: Tensor
    """The leaf itself (``target``, or the base the view was taken from)."""
    how: Literal["inplace", "setitem", "augassign"]
    method: str
    through_view: bool
    """torch names the view in its message ("a view of a leaf Variable ...")."""
    operands_require_grad: Tri
    """Whether what is written carries a graph (then ``no_grad`` would drop an edge)."""
    grad_enabled: bool | None


@dataclass(eq=False, repr=False)
class RequiresGradSet(Event):
    """``t.requires_grad = flag``, ``t.requires_grad_(flag)``, or a constructor that makes a
    leaf with ``requires_grad=True`` out of a value cut from a graph."""

    target: Tensor
    """The tensor as it was before the change."""
    how: Literal["assign", "method", "constructor"]
    flag: Tri
    result: Tensor | None = None
    """The tensor after the change (its storage identifies it later)."""

    def rank(self) -> int:
        """Of the calls that reach one site, the one that hands it a non-leaf is the one
        torch refuses (a helper called with a leaf first and a non-leaf later)."""
        return int(self.target.is_leaf is Tri.NO and self.target.requires_grad is Tri.YES)


# --- training loops (AG010, AG015, AG016) ---------------------------------------------

LoopNode = cst.For | cst.While


@dataclass(eq=False, repr=False)
class LoopEvent(Event):
    """An event of a training loop, with the loops around it (innermost last) and, of those,
    the ones in whose every iteration it surely runs (no branch, handler or inner loop that
    may be skipped between the loop and it)."""

    loops: tuple[LoopNode, ...] = ()
    every_iteration: tuple[LoopNode, ...] = ()


@dataclass(eq=False, repr=False)
class Accumulation(LoopEvent):
    """A tensor that requires grad added to something that already holds the graph of an
    earlier iteration of ``loop`` (``total += loss``, ``losses.append(loss)``, a meter's
    ``self.sum += val``): every iteration's graph stays alive."""

    loop: LoopNode | None = None
    how: Literal["add", "append", "store"] = "add"
    added: Tensor | None = None
    """The tensor added this iteration."""
    kept: GraphNode | None = None
    """The graph of an earlier iteration the accumulator holds."""
    call: cst.Call | None = None
    """Where the accumulation runs inside a followed call: the call made in the loop."""
    argument: cst.BaseExpression | None = None
    """The expression, at the report site, whose value is added (the fix detaches it)."""
    container: int = 0
    """For a list: its identity."""
    data_loop: bool = False
    """The loop's target holds a batch of data (tensors that do not require grad)."""
    whole: bool = False
    """Seen with its callers: at the top level or in a followed call, not in a function
    analysed alone (whose caller may backpropagate what it returns)."""
    cleared: bool = False
    """Set later when that list is emptied (``clear()``, ``del xs[:]``, ``pop()``): its items
    were consumed, as a loss collected to be backpropagated together is."""


@dataclass(eq=False, repr=False)
class BackwardCall(LoopEvent):
    """Any ``.backward(...)`` call, whatever is known of its receiver."""


@dataclass(eq=False, repr=False)
class OptimizerStep(LoopEvent):
    """``opt.step()`` on a ``torch.optim`` optimizer; ``receiver`` is its source text."""

    receiver: str = ""
    optimizer: Optimizer | None = None


@dataclass(eq=False, repr=False)
class GradReset(LoopEvent):
    """``zero_grad()`` on anything, ``p.grad = None`` / ``del p.grad``, an in-place write to a
    ``.grad``, or (``maybe``) a call the analyzer cannot follow that is handed the optimizer
    or a module: gradients may be reset there."""

    maybe: bool = False
    optimizer: Optimizer | None = None
    """For ``opt.zero_grad()`` on a known optimizer: it (it resets only its own parameters)."""


@dataclass(eq=False, repr=False)
class OptimizerFromCopy(Event):
    """A ``torch.optim`` optimizer built from copies of parameters, not the parameters."""

    copy_site: cst.CSTNode
    """The expression that made the copy."""
    how: str
    """``.to()``, ``.cuda()``, ``* 1``, ``.clone()``..."""
    source: Tensor
    """The parameter copied."""
    non_leaf: bool = True
    """The copy is a non-leaf (torch raises "can't optimize a non-leaf Tensor")."""
