"""Whether a ``.data`` write can change a gradient: two facts AG001 needs before it reports.

Both are read from what the trace recorded, and where it did not record enough, AG001 keeps
its finding only when the write surely matters:

* A *fill of positions* of a graph non-leaf (``y.data.masked_fill_(mask, 0.0)``, ``fill_``,
  ``zero_``, ``index_fill_``, an in-place sampler such as ``uniform_``, ``y.data[i] = c`` with
  a value that carries no graph and was not computed from ``y``). Its gradient differs from the out-of-place op's only at the
  filled positions: the true op passes none there, the ``.data`` write passes what the
  consumer of ``y`` passes. That is a wrong gradient only when a backward through ``y``
  runs, and without one the consumer is unknown (a returned output, a temporary view written
  at construction): AG001 needs a backward seen to reach ``y``'s graph after the write.
* A leaf *made and not yet used*: the layer a helper builds and returns, then resharded or
  rescaled by another function (``linear = get_linear(); reshard(linear)``). From the leaf's
  creation to the write, every statement run (in any function, in any module) must do
  nothing that lets a gradient involve the leaf: no autograd event, no tensor with a graph
  kept (other than the value written), no call of the layer or of a method on it, no hand-off
  to a call that was not followed. The write then is construction, as it is when one function
  builds the layer and rescales it (``out = nn.Linear(...); out.weight.data *= ...``).
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from autograd_lint.analysis.trace import Backward, DataWrite, Event, Trace
from autograd_lint.analysis.values import NNModule, Sequence, Tensor, Tri, Value

FILLS = frozenset({"fill_", "zero_", "masked_fill_", "index_fill_"})
"""In-place methods that set chosen positions to a value that does not depend on the old ones."""

RANDOM_FILLS = frozenset(
    {"uniform_", "normal_", "random_", "exponential_", "cauchy_", "log_normal_", "geometric_"}
)
"""In-place samplers (an initialisation, ``glorot(w[:n])``): every position gets a new value
that does not depend on the old one, and their arguments are numbers (no graph)."""

_INERT_CALLEES = frozenset(
    {"getattr", "hasattr", "isinstance", "len", "type", "id", "print", "setattr", "repr", "str"}
)
"""Builtins that read a layer without running it."""


_FILL_VALUE = {"fill_": 0, "masked_fill_": 1, "index_fill_": 2}
"""Where each fill's value is among its arguments (the others choose positions)."""


def fills_positions(event: DataWrite) -> bool:
    """A constant fill of some positions (see the module docstring): the value is a number
    written in the call (the mask of ``masked_fill_`` may be anything), or carries no graph."""
    if event.how == "inplace" and event.method in RANDOM_FILLS:
        return True
    if event.how == "inplace" and event.method in FILLS:
        if event.method == "zero_" or _number_argument(event.site, _FILL_VALUE[event.method]):
            return True
        return event.value_requires_grad is Tri.NO
    return (
        event.how == "setitem"
        and event.value_requires_grad is Tri.NO
        and not event.value_from_target
    )


def _number_argument(site: cst.CSTNode, index: int) -> bool:
    """The call's positional argument ``index`` is a number literal (``0.0``, ``-1e4``)."""
    if not isinstance(site, cst.Call) or len(site.args) <= index:
        return False
    value = site.args[index].value
    if isinstance(value, cst.UnaryOperation):
        value = value.expression
    return isinstance(value, cst.Integer | cst.Float)


def backward_reaches(event: DataWrite, trace: Trace) -> bool:
    """A backward run after the write reaches the graph node of the tensor written."""
    node = event.target.node
    if node is None:
        return False
    for other in trace.events:
        if not isinstance(other, Backward) or other.order < event.order:
            continue
        root = other.tensor.node if isinstance(other.tensor, Tensor) else None
        if root is not None and any(n is node for n in root.reachable()):
            return True
    return False


def made_and_unused(event: DataWrite, trace: Trace) -> bool:
    """The leaf written was made earlier in the same run and nothing used it since."""
    target = event.target
    if target.is_leaf is not Tri.YES or event.in_forward or not target.prov:
        return False
    made = min(target.prov)
    if made not in trace.statements or made >= event.seq:
        return False
    root_made, root_write = _root(trace, made), _root(trace, event.seq)
    if not _one_function_once(trace, root_made, root_write):
        return False
    last = trace.finished_after.get(root_write, root_write)
    if any(
        isinstance(other, DataWrite)
        and other is not event
        and other.site is event.site
        and root_write <= other.seq <= last
        for other in trace.events
    ):
        return False  # the write runs again (a loop in the callee): a step, not construction
    events: dict[int, list[Event]] = {}
    for other in trace.events:
        if made < other.seq < event.seq:
            events.setdefault(other.seq, []).append(other)
    followed = set(trace.called_from.values())
    names = _names_of(trace, target, made, event.seq)
    label_root = target.label.split(".")[0].split("[")[0]
    if label_root.isidentifier():
        names.add(label_root)
    for seq in range(made + 1, event.seq):
        entry = trace.statements.get(seq)
        if entry is None:
            continue
        facts = _Facts(seq in event.value_prov, seq in followed)
        if _uses(trace, seq, entry[0], events.get(seq, ()), names, facts):
            return False
    return True


@dataclass(frozen=True)
class _Facts:
    """What is known of a statement run between the leaf's creation and the write."""

    computes_value: bool
    """It made the value written (``shard = torch.tensor_split(linear.weight, n)[rank]``):
    the graph that value carries is the one the write drops, not a use."""
    made_followed_call: bool
    """A call in it was followed: what the callee did is in the range, checked statement by
    statement, so handing the layer to it is not a use by itself."""


def _root(trace: Trace, seq: int) -> int:
    """The statement of the analysed function whose followed calls ran ``seq``."""
    while seq in trace.called_from:
        seq = trace.called_from[seq]
    return seq


def _one_function_once(trace: Trace, first: int, second: int) -> bool:
    """Both statements (roots: statements of this file no followed call ran) of one function,
    the second not in a loop of it."""
    from autograd_lint.rules.data_mutation import _FunctionOf

    a, b = trace.statements[first][0], trace.statements[second][0]
    finder = _FunctionOf((a, b))
    trace.module.visit(finder)
    return finder.same_function(a, b) and id(b) not in finder.in_loop


def _holds(value: Value, storage: int, depth: int = 0) -> bool:
    """The value is the tensor, or a layer that holds it (its own or a child's parameter)."""
    if isinstance(value, Tensor):
        return value.storage == storage
    if isinstance(value, NNModule) and depth < 8:
        return any(p.storage == storage for p in value.params) or any(
            _holds(child, storage, depth + 1) for child in value.children
        )
    return False


def _names_of(trace: Trace, target: Tensor, first: int, last: int) -> set[str]:
    """Names bound, from ``first`` to ``last``, to the leaf or to a layer that holds it."""
    names: set[str] = set()
    for table in (trace.bindings, trace.inputs):
        for seq, bound in table.items():
            if first <= seq <= last:
                names.update(n for n, v in bound.items() if _holds(v, target.storage))
    return {n for n in names if n.isidentifier()}


def _keeps_graph(value: Value) -> bool:
    if isinstance(value, Tensor):
        return value.requires_grad is not Tri.NO and value.node is not None
    if isinstance(value, Sequence):
        return any(_keeps_graph(item) for item in value.items)
    return False


def _uses(
    trace: Trace,
    seq: int,
    statement: cst.CSTNode,
    events: list[Event] | tuple[()],
    names: set[str],
    facts: _Facts,
) -> bool:
    """Whether the statement run as ``seq`` may let a gradient involve the leaf."""
    for event in events:
        if not (isinstance(event, DataWrite) and event.value_requires_grad is Tri.NO):
            return True
    if not facts.computes_value and any(
        _keeps_graph(v) for v in trace.bindings.get(seq, {}).values()
    ):
        return True
    finder = _CallsOn(names, hand_off_known=facts.made_followed_call)
    statement.visit(finder)
    return finder.found


def _chain_root(node: cst.BaseExpression) -> tuple[str | None, bool]:
    """The name an attribute / subscript chain starts from, and whether it passes ``.data``."""
    through_data = False
    while True:
        if isinstance(node, cst.Attribute):
            through_data = through_data or node.attr.value == "data"
            node = node.value
        elif isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        else:
            break
    return (node.value if isinstance(node, cst.Name) else None), through_data


class _CallsOn(cst.CSTVisitor):
    """A call that runs the layer, a method of it, or hands it to a callee not known inert."""

    def __init__(self, names: set[str], hand_off_known: bool) -> None:
        self.names = names
        self.hand_off_known = hand_off_known
        self.found = False

    def visit_Call(self, node: cst.Call) -> None:
        root, through_data = _chain_root(node.func)
        if root in self.names and not through_data:
            self.found = True  # ``linear(x)``, ``linear.eval()``, ``linear.weight.mul(2)``
            return
        callee_inert = root == "torch" or (
            isinstance(node.func, cst.Name) and node.func.value in _INERT_CALLEES
        )
        if callee_inert or through_data or self.hand_off_known:
            return
        for arg in node.args:
            if _chain_root(arg.value)[0] in self.names:
                self.found = True
