"""AG004 repeated-backward: a second backward through a graph whose saved tensors were freed."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.names import keyword
from autograd_lint.analysis.trace import Backward, Trace
from autograd_lint.analysis.witness import SECOND_BACKWARD as MESSAGE
from autograd_lint.analysis.witness import witness_for_repeated
from autograd_lint.diagnostics import Diagnostic, Edit, Fix, Range, Severity
from autograd_lint.rules._build import diagnostic, line_of
from autograd_lint.rules.base import Rule


class RepeatedBackward(Rule):
    code = "AG004"
    name = "repeated-backward"
    summary = "Backward through a graph that an earlier backward already freed."
    why = """
A backward frees the tensors its graph saved unless it is called with
`retain_graph=True`. A second backward that reaches any node holding saved tensors then
raises "Trying to backward through the graph a second time". It happens with the same loss
backwarded twice, two losses sharing a subgraph, a backward in a loop over a graph built
before the loop, and a recurrent state carried across iterations without `detach()`.
Graphs made only of ops that save nothing (`add`, `sum`) can be backwarded again:
torch accepts that, and so does this rule.
"""
    example = """
h = torch.zeros(1, 16)
for x in sequence:
    h = torch.tanh(x @ W + h @ U)
    loss = h.sum()
    loss.backward()      # second iteration reaches the freed graph of the first
"""
    use_instead = """
h = torch.zeros(1, 16)
for x in sequence:
    h = h.detach()       # truncate backpropagation at the iteration boundary
    h = torch.tanh(x @ W + h @ U)
    loss = h.sum()
    loss.backward()
"""
    fix_note = """
Offered, never applied by `--fix`: `retain_graph=True` on the earlier backward when the
second one is intended, or `h = h.detach()` at the top of the loop for carried state —
the message says which fits.
"""
    default_severity = Severity.ERROR
    valid = (
        "w = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\ny.backward(retain_graph=True)\ny.backward()\n",
        "w = torch.randn(3, requires_grad=True)\ny = (w + 1).sum()\ny.backward()\ny.backward()\n",
        "w = torch.randn(3, requires_grad=True)\nfor _ in range(3):\n    y = (w * w).sum()\n    y.backward()\n",
    )
    invalid = (
        "w = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\ny.backward()\ny.backward()\n",
        "w = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\nfor _ in range(3):\n    y.backward()\n",
        "W = torch.randn(3, 3, requires_grad=True)\nh = torch.zeros(3)\nfor _ in range(3):\n    h = torch.tanh(W @ h)\n    h.sum().backward()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        for event in trace.of_type(Backward):
            if not event.freed:
                continue
            node, first = event.freed[0]
            same_call = first.site is event.site
            carried = _carried_state(event, event.loop) if same_call and event.loop else None
            if carried is not None:
                hint = (
                    f"`{carried}` carries the graph of the previous iteration into this one: "
                    f"detach it at the top of the loop (`{carried} = {carried}.detach()`)"
                )
                related = [(node.site, "saved for backward here, in an earlier iteration")]
                fixes = _detach_fix(trace, event)
            elif same_call and event.loop is None:
                hint = (
                    "this backward runs twice on one graph (its function is called twice with "
                    "the same loss): call it once, or compute a new loss for the second call"
                )
                related = [(node.site, "saved for backward here")]
                fixes = ()
            elif same_call and node.id > event.loop_started:
                hint = (
                    "a value carried from one iteration to the next (a hidden state, possibly kept "
                    "on `self`) still holds the previous iteration's graph: detach it once per "
                    "iteration"
                )
                related = [(node.site, "saved for backward here, in an earlier iteration")]
                fixes = ()
            elif same_call:
                hint = (
                    "the graph was built before the loop and the first iteration freed it: build it "
                    "inside the loop, or pass `retain_graph=True` if repeating the backward is intended"
                )
                related = [(node.site, "saved for backward here, before the loop")]
                fixes = ()
            elif (shared := _shared_output(trace, node.site, first, event)) is not None:
                name, use, network = shared
                first_line = line_of(trace, first.site)
                hint = (
                    f"`{name}` feeds `{network}` for both losses; for the loss that should "
                    f"not reach what made `{name}` (a GAN's discriminator step), give it "
                    f"`{network}({name}.detach())`; pass `retain_graph=True` to the backward at "
                    f"line {first_line} only if both backwards should reach it"
                )
                related = [
                    (first.site, "first backward here"),
                    (node.site, "saved for backward here"),
                    (use, f"`{network}` takes `{name}` here, before the first backward"),
                ]
                fixes = _retain_fix(trace, first)
            else:
                hint = f"pass `retain_graph=True` to the backward at line {line_of(trace, first.site)} if a second backward is intended"
                related = [
                    (first.site, "first backward here"),
                    (node.site, "saved for backward here"),
                ]
                fixes = _retain_fix(trace, first)
            yield diagnostic(
                trace,
                self.code,
                event.site,
                f"backward through a graph already freed by {_freed_by(trace, event, first, same_call)}: "
                f"torch raises '{MESSAGE}'; {hint}",
                Severity.ERROR,
                related,
                fixes=fixes,
                witness=witness_for_repeated(trace, event, first),
            )


def _freed_by(trace: Trace, event: Backward, first: Backward, same_call: bool) -> str:
    if not same_call:
        return f"the backward at line {line_of(trace, first.site)}"
    if event.loop is None:
        return "an earlier run of this same backward"
    return "this backward in an earlier iteration"


def _shared_output(
    trace: Trace, site: cst.CSTNode, first: Backward, second: Backward
) -> tuple[str, cst.Call, str] | None:
    """``fake = netG(noise)`` handed to one network (``netD(fake)``) before the first
    backward and again after it: a GAN's generator output shared by the discriminator's
    and the generator's losses. Which loss should stop at it is the author's to say (the
    discriminator's), so the message names the network and no fix is applied."""
    if not isinstance(site, cst.Call):
        return None
    name = None
    before: dict[str, cst.Call] = {}
    for seq, (statement, _) in sorted(trace.statements.items()):
        if seq > second.seq:
            break
        if name is None:
            name = _assigned_name(statement, site)
            continue
        use = _call_taking(statement, name)
        if use is None:
            continue
        network = cst.Module(body=[]).code_for_node(use.func)
        if seq < first.seq:
            before.setdefault(network, use)
        elif network in before:
            return name, before[network], network
    return None


def _assigned_name(statement: cst.CSTNode, value: cst.CSTNode) -> str | None:
    if isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1:
        small = statement.body[0]
        if (
            isinstance(small, cst.Assign)
            and small.value is value
            and len(small.targets) == 1
            and isinstance(small.targets[0].target, cst.Name)
        ):
            return small.targets[0].target.value
    return None


class _CallsTaking(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.found: cst.Call | None = None

    def visit_Call(self, node: cst.Call) -> None:
        if self.found is None and any(
            isinstance(a.value, cst.Name) and a.value.value == self.name and a.keyword is None
            for a in node.args
        ):
            self.found = node


def _call_taking(statement: cst.CSTNode, name: str) -> cst.Call | None:
    """A call in ``statement`` that takes ``name`` itself as a positional argument."""
    finder = _CallsTaking(name)
    statement.visit(finder)
    return finder.found


def _retain_fix(trace: Trace, first: Backward) -> tuple[Fix, ...]:
    """Add ``retain_graph=True`` to the earlier call (offered only: it keeps memory alive)."""
    call = first.call
    if keyword(call, "retain_graph") is not None:
        return ()
    new_arg = cst.Arg(
        value=cst.Name("True"),
        keyword=cst.Name("retain_graph"),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )
    args = list(call.args)
    if args:
        args[-1] = args[-1].with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        )
    new_call = call.with_changes(args=[*args, new_arg])
    text = cst.Module(body=[]).code_for_node(new_call)
    return (
        Fix(
            "Keep the graph: `retain_graph=True` on the first backward",
            (Edit(trace.range_of(call), text),),
            safe=False,
        ),
    )


def _carried_state(event: Backward, loop: cst.For | cst.While) -> str | None:
    """The name, reassigned in the loop, whose earlier-iteration graph this backward reaches."""
    assigned = _names_assigned(loop.body)
    for node, _ in event.freed:
        result = node.result
        if result is not None and result.label in assigned:
            return result.label
    return None


def _names_assigned(block: cst.BaseSuite) -> set[str]:
    names: set[str] = set()
    statements = block.body if isinstance(block, cst.IndentedBlock) else [block]
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            for small in statement.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        if isinstance(target.target, cst.Name):
                            names.add(target.target.value)
                        elif isinstance(target.target, cst.Tuple):
                            names.update(
                                e.value.value
                                for e in target.target.elements
                                if isinstance(e.value, cst.Name)
                            )
    return names


def _detach_fix(trace: Trace, event: Backward) -> tuple[Fix, ...]:
    """``h = h.detach()`` at the top of the loop (offered only: it changes what is trained)."""
    loop = event.loop
    if loop is None or not isinstance(loop.body, cst.IndentedBlock) or not loop.body.body:
        return ()
    name = _carried_state(event, loop) if isinstance(loop, cst.For | cst.While) else None
    if name is None:
        return ()
    first = loop.body.body[0]
    start = trace.range_of(first)
    indent = " " * start.start_col
    edit = Edit(
        Range(start.start_line, start.start_col, start.start_line, start.start_col),
        f"{name} = {name}.detach()\n{indent}",
    )
    return (Fix(f"Detach `{name}` at the top of the loop", (edit,), safe=False),)
