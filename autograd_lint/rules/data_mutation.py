"""AG001 data-mutation: writing through ``.data``."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import libcst as cst

from autograd_lint.analysis.names import dotted
from autograd_lint.analysis.trace import DataWrite, Trace
from autograd_lint.analysis.values import Tri
from autograd_lint.analysis.witness import witness_for_data_write
from autograd_lint.analysis.witness_data_write import (
    witness_for_forward_write,
    witness_for_tracked_write,
)
from autograd_lint.cells import split_lines
from autograd_lint.diagnostics import Diagnostic, Severity
from autograd_lint.rules._build import diagnostic, line_of
from autograd_lint.rules._write_use import backward_reaches, fills_positions, made_and_unused
from autograd_lint.rules.base import Rule


class DataMutation(Rule):
    code = "AG001"
    name = "data-mutation"
    summary = "A write through `.data` that autograd needed to see."
    why = """
`.data` returns a tensor that shares storage with the original but not its version
counter, so autograd cannot see a write through it. AG001 reports the writes where that
changes a result: a backward that saved the old value is still to run (it silently
computes a wrong gradient instead of raising), the target is a non-leaf of a graph (its
value and its graph now disagree; a fill of some positions, `y.data.masked_fill_(m, 0)`,
only where a backward through `y` is seen, since it errs by the gradient the consumer passes
at those positions), or the write is part of the forward computation (inside `forward()`,
or the written value carries a graph): the op is left out of every gradient. Other `.data`
writes (the legacy update of a parameter, a layer set up before anything used it) are
AG013's.
"""
    example = """
w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
w.data.mul_(10)      # w.grad below is computed from the new values
y.backward()
"""
    use_instead = """
w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
y.backward()
with torch.no_grad():
    w.mul_(10)
"""
    fix_note = """
No automatic fix. Rewriting the write under `torch.no_grad()` is not one here: autograd
would then see the saved value modified and the backward would raise. Move the write
after the backward that needs the old value; for a non-leaf or a forward computation,
compute the new value out of place (`z = y - 2`, `w = F.normalize(w)`).
"""
    default_severity = Severity.ERROR
    valid = (
        "w = torch.randn(3, requires_grad=True)\nn = w.data.norm()\n",
        "m = torch.zeros(3)\nm.data.add_(1)\n",
        "w = torch.randn(3, requires_grad=True)\nwith torch.no_grad():\n    w.mul_(10)\n",
        # the legacy update of a leaf no pending backward saved: AG013
        "w = torch.randn(3, requires_grad=True)\nw.data = torch.zeros(3)\n",
        "w = torch.randn(3, requires_grad=True)\ny = (w * 2).sum()\ny.backward()\nw.data -= 0.1 * w.grad\n",
    )
    invalid = (
        "w = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\nw.data.mul_(10)\ny.backward()\n",
        "w = torch.randn(3, requires_grad=True)\ny = torch.sigmoid(w)\nd = y.data\nd.zero_()\ny.sum().backward()\n",
        "x = torch.randn(3, requires_grad=True)\ny = x * 2\nz = y + 1\nz.data = y.data - 2\n",
        "w = torch.randn(3, requires_grad=True)\nw.data = w / w.norm()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        needed = [
            (event, reason)
            for event in trace.of_type(DataWrite)
            if (reason := needed_by_autograd(event, trace)) is not None
        ]
        chained = chained_writes([event for event, _ in needed])
        for event, reason in needed:
            if id(event) in chained:
                continue
            target = event.target
            related: list[tuple[cst.CSTNode | None, str]] = [(target.site, "tensor created here")]
            if reason == "stale":
                backward = event.stale_backward
                assert backward is not None
                saved_at = next((s.saved.site for s in backward.stale if s.write is event), None)
                related = [(saved_at, "saved for backward here"), (backward.site, "backward here")]
                line = line_of(trace, backward.site)
                message = (
                    f"{write_description(event)} changes {target_name(trace, event)} behind autograd's back: the "
                    f"backward at line {line} uses the saved value and computes a silently wrong "
                    f"gradient; make the write after that backward"
                )
            elif reason == "nonleaf":
                message = (
                    f"{write_description(event)} on {target_name(trace, event)}, a non-leaf of a graph: its value and "
                    "its graph now disagree, so gradients through it are wrong; compute the new "
                    "value out of place"
                )
            elif reason == "forward":
                message = (
                    f"{write_description(event)} on {target_name(trace, event)} inside `forward()` is left out of "
                    "every gradient; compute the new value out of place"
                )
            else:
                message = (
                    f"{write_description(event)} on {target_name(trace, event)} writes a value that carries a graph, "
                    "which `.data` drops: the op is left out of every gradient; assign it out of "
                    "place"
                )
            yield diagnostic(
                trace,
                self.code,
                event.site,
                message,
                Severity.ERROR,
                related,
                witness=witness_for_tracked_write(trace, event)
                or witness_for_forward_write(trace, event)
                or witness_for_data_write(trace, event),
            )


def needed_by_autograd(event: DataWrite, trace: Trace) -> str | None:
    """Why autograd needed to see this ``.data`` write, or ``None`` (a legacy update).

    ``stale``: a pending backward saved the old value; ``nonleaf``: the target belongs to a
    graph; ``forward``: the write runs inside a module's forward; ``graph-value``: the value
    written requires grad and was computed from the target itself (``w.data =
    F.normalize(w)``: the normalisation is lost to the gradient). Fused or copied-in values
    (``fresh.weight.data = a.weight + b``, a deploy-time reparameterisation) are AG013's, and
    so is the initialisation, inside ``forward``, of a layer that same function builds
    (``new = nn.Embedding(n + 2, d); new.weight.data[:n] = old.weight.data``): no gradient
    has used its old value, and a value without a graph leaves no op out. A constant fill
    of a non-leaf counts only where a backward through it is seen, and a leaf made earlier
    in the run and not used since (:mod:`~autograd_lint.rules._write_use`) is construction.
    """
    target = event.target
    if event.silently_stale and event.stale_backward is not None:
        return "stale"
    if target.is_leaf is Tri.NO and target.requires_grad is Tri.YES and target.node is not None:
        # a constant fill is wrong only where a backward through the graph is run
        if fills_positions(event) and not backward_reaches(event, trace):
            return None
        return "nonleaf"
    tracked = target.requires_grad is Tri.YES or target.is_param
    if (
        tracked
        and event.in_forward
        and event.grad_enabled is not False
        and not _initialises_layer_built_here(event, trace)
    ):
        return "forward"
    if (
        tracked
        and event.value_requires_grad is Tri.YES
        and event.grad_enabled is True
        and event.value_from_target
        and not _rescales_layer_built_here(event, trace)
        and not made_and_unused(event, trace)
    ):
        return "graph-value"
    return None


def _rescales_layer_built_here(event: DataWrite, trace: Trace) -> bool:
    """A leaf made by the function the write is in (not ``forward``), written once, outside
    any loop, before that function hands it out (``out = nn.Linear(...); out.weight.data *=
    scale / out.weight.norm(...)``): construction, where no gradient has used the leaf yet,
    so the value's graph leaves no op out of one (AG013's). The same write in a loop, or at a
    script's top level, is a step of the computation."""
    if event.target.is_leaf is not Tri.YES or event.in_forward:
        return False
    made_by, finder = _made_and_written(event, trace)
    return (
        finder.same_function(made_by, event.statement)
        and id(event.statement) not in finder.in_loop
        and not _used_between(trace, made_by, event)
    )


def _made_and_written(event: DataWrite, trace: Trace) -> tuple[cst.CSTNode, _FunctionOf]:
    """The statement that made the target, and where it and the write's statement are."""
    made_by = trace.owner.get(event.target.site, event.target.site)
    finder = _FunctionOf((made_by, event.statement))
    trace.module.visit(finder)
    return made_by, finder


def _used_between(trace: Trace, made_by: cst.CSTNode, event: DataWrite) -> bool:
    """Whether a line between the leaf's creation and the write names it (its name, or for
    an attribute ``self.W`` the whole chain, and any method call on ``self``): an op there
    may have saved it (``y = (w * w).sum()``), and the write would change what that graph's
    backward reads. Read from the text, so a mention in a comment counts too (the exemption
    is then not taken)."""
    chain = (event.target.label or "").split("[")[0]
    parts = chain.split(".")
    if not all(part.isidentifier() for part in parts):
        return True
    made, written = trace.range_of(made_by), trace.range_of(event.statement)
    lines = split_lines(trace.source)[made.end_line : written.start_line - 1]
    # an attribute of an object (``self.W_dec``) is named by its whole chain; the object
    # itself called or handed a method call (``self(x)``, ``self.reset()``) may use it too
    root = re.escape(parts[0])
    patterns = [rf"\b{re.escape(chain)}\b"]
    if len(parts) > 1:
        patterns.append(rf"\b{root}\s*\(|\b{root}\.\w+\s*\(")
    mention = re.compile("|".join(patterns))
    return any(mention.search(line) for line in lines)


def _initialises_layer_built_here(event: DataWrite, trace: Trace) -> bool:
    """A graph-free value written into a leaf made by the function the write is in."""
    if event.target.is_leaf is not Tri.YES or event.value_requires_grad is not Tri.NO:
        return False
    made_by, finder = _made_and_written(event, trace)
    return finder.same_function(made_by, event.statement)


class _FunctionOf(cst.CSTVisitor):
    """The innermost ``def`` around each wanted node (``None``: module level, or not found)."""

    def __init__(self, wanted: tuple[cst.CSTNode, ...]) -> None:
        self.wanted = {id(node) for node in wanted}
        self.found: dict[int, cst.FunctionDef | None] = {}
        self.in_loop: set[int] = set()
        """Wanted nodes inside a loop of their innermost function."""
        self._functions: list[cst.FunctionDef] = []
        self._loops: list[int] = []

    def same_function(self, first: cst.CSTNode, second: cst.CSTNode) -> bool:
        """Both inside one ``def`` (the innermost around each), not at module level."""
        function = self.found.get(id(first))
        return function is not None and function is self.found.get(id(second))

    def on_visit(self, node: cst.CSTNode) -> bool:
        if id(node) in self.wanted:
            self.found[id(node)] = self._functions[-1] if self._functions else None
            if self._loops and self._loops[-1]:
                self.in_loop.add(id(node))
        if isinstance(node, cst.FunctionDef):
            self._functions.append(node)
            self._loops.append(0)
        elif isinstance(node, cst.For | cst.While) and self._loops:
            self._loops[-1] += 1
        return len(self.found) < len(self.wanted)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.FunctionDef):
            self._functions.pop()
            self._loops.pop()
        elif isinstance(original_node, cst.For | cst.While) and self._loops:
            self._loops[-1] -= 1


def chained_writes(events: Sequence[DataWrite]) -> set[int]:
    """The writes that continue another of ``events`` on the same tensor:
    ``w.data.mul_(d).add_(x)`` is one update of ``w`` (an in-place op returns its receiver),
    reported once, at its first call."""
    sites = {id(event.site): event for event in events}
    chained: set[int] = set()
    for event in events:
        site = event.site
        while isinstance(site, cst.Call) and isinstance(site.func, cst.Attribute):
            site = site.func.value
            earlier = sites.get(id(site))
            if earlier is not None and earlier.target is event.target:
                chained.add(id(event))
                break
    return chained


def target_name(trace: Trace, event: DataWrite) -> str:
    """The tensor written, as the line that writes it spells it (``mod.weight`` for
    ``mod.weight.data = v``), else by the name it was created under."""
    receiver = event.receiver
    if isinstance(receiver, cst.Attribute) and (written := dotted(receiver.value)) is not None:
        return f"`{written}`"
    label = event.target.label
    return f"`{label}`" if label else "a tensor that requires grad"


def write_description(event: DataWrite) -> str:
    if event.how == "assign":
        return "assigning `.data`"
    if event.how == "setitem":
        return "item assignment through `.data`"
    if event.how == "augassign":
        return "augmented assignment through `.data`"
    return (
        f"`.data.{event.method}()`"
        if not event.via_name
        else f"`{event.method}()` on a `.data` alias"
    )
