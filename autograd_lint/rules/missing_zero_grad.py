"""AG015 missing-zero-grad: a training loop that never resets gradients between steps."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.trace import (
    BackwardCall,
    GradReset,
    LoopNode,
    OptimizerStep,
    Trace,
)
from autograd_lint.analysis.witness_training import witness_for_missing_zero_grad
from autograd_lint.cells import split_lines
from autograd_lint.diagnostics import Diagnostic, Edit, Fix, Range, Severity
from autograd_lint.rules._build import contains, diagnostic, line_of, loop_header
from autograd_lint.rules.base import Rule


class MissingZeroGrad(Rule):
    code = "AG015"
    name = "missing-zero-grad"
    summary = "`backward()` and `optimizer.step()` every iteration, gradients never reset."
    why = """
`backward()` adds into `.grad`; it does not overwrite it. A loop that calls `backward()`
and `optimizer.step()` every iteration without `optimizer.zero_grad()` (or
`model.zero_grad()`, or `p.grad = None`) steps with the sum of every gradient so far:
the second step uses the first step's gradient again, the hundredth uses a hundred. The
model trains badly or diverges, with no error.

Calls the loop makes into the project's own helpers are followed (a `zero_grad()` inside
`train_step(model, optimizer, batch)` counts), and gradient accumulation on purpose —
`optimizer.step()` and `zero_grad()` every k iterations under `if (i + 1) % k == 0:` — is
not a step every iteration. `torch.autograd.grad` does not accumulate and is not counted.
A loop that hands the optimizer or the model to code the analyzer cannot follow is not
reported: that code may reset the gradients.
"""
    example = """
for x, y in loader:
    loss = criterion(model(x), y)
    loss.backward()            # adds to the gradients of every earlier step
    optimizer.step()
"""
    use_instead = """
for x, y in loader:
    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()
"""
    fix_note = """
Offered, not applied by `--fix`: `optimizer.zero_grad()` inserted before the backward,
with the optimizer named as the loop's `step()` names it. Offered only where the backward
and the step are both written in the loop itself.
"""
    default_severity = Severity.WARNING
    valid = (
        "w = torch.randn(3, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "for _ in range(3):\n    opt.zero_grad()\n    (w * w).sum().backward()\n    opt.step()\n",
        "w = torch.randn(3, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "for i in range(8):\n    (w * w).sum().backward()\n    if (i + 1) % 4 == 0:\n"
        "        opt.step()\n        opt.zero_grad()\n",
        "w = torch.randn(3, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "for _ in range(3):\n    (w * w).sum().backward()\n    opt.step()\n    w.grad = None\n",
    )
    invalid = (
        "w = torch.randn(3, requires_grad=True)\nopt = torch.optim.SGD([w], lr=0.1)\n"
        "for _ in range(3):\n    loss = (w * w).sum()\n    loss.backward()\n    opt.step()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        steps = trace.of_type(OptimizerStep)
        if not steps:
            return
        backwards = trace.of_type(BackwardCall)
        resets = [e for e in trace.events if isinstance(e, GradReset)]
        reported: set[int] = set()
        loops: dict[int, LoopNode] = {}
        for step in steps:
            for loop in step.every_iteration:
                loops.setdefault(id(loop), loop)
        depth = {id(loop): index for step in steps for index, loop in enumerate(step.loops)}
        for loop in sorted(loops.values(), key=lambda n: -depth.get(id(n), 0)):  # innermost first
            step = next(s for s in steps if loop in s.every_iteration)
            if any(loop in reset.loops and _resets(reset, step) for reset in resets):
                continue
            if _fresh_leaves_each_pass(trace, loop, step) or _built_over_fresh_copies(loop, step):
                continue
            backward = next((b for b in backwards if loop in b.every_iteration), None)
            if backward is None or id(backward.site) in reported:
                continue
            reported.add(id(backward.site))
            name = step.receiver or "optimizer"
            yield diagnostic(
                trace,
                self.code,
                backward.site,
                f"`backward()` and `{name}.step()` run in every iteration of the loop at line "
                f"{line_of(trace, loop_header(loop))}, but nothing resets the gradients (no `zero_grad()`, no "
                f"`p.grad = None`): `backward()` adds to `.grad`, so each step uses the sum of "
                f"every gradient so far; call `{name}.zero_grad()` before the backward",
                Severity.WARNING,
                [
                    (step.site, "the optimizer steps here"),
                    (loop_header(loop), "in every iteration of this loop"),
                ],
                fixes=_zero_grad_fix(trace, loop, backward, step),
                witness=witness_for_missing_zero_grad(trace),
            )


def _zero_grad_fix(
    trace: Trace, loop: LoopNode, backward: BackwardCall, step: OptimizerStep
) -> tuple[Fix, ...]:
    """``<optimizer>.zero_grad()`` on a line of its own before the backward's statement."""
    statement = trace.owner.get(backward.site)
    if (
        not step.receiver
        or not isinstance(statement, cst.SimpleStatementLine)
        or not contains(loop.body, statement)
        or not contains(loop.body, trace.owner.get(step.site) or step.site)
    ):
        return ()
    start = trace.range_of(statement)
    lines = split_lines(trace.source)
    line = lines[start.start_line - 1] if start.start_line <= len(lines) else ""
    if line[: start.start_col].strip():
        return ()  # not the first thing on its line
    indent = line[: start.start_col]
    edit = Edit(
        Range(start.start_line, start.start_col, start.start_line, start.start_col),
        f"{step.receiver}.zero_grad()\n{indent}",
    )
    return (Fix(f"Call `{step.receiver}.zero_grad()` before the backward", (edit,), safe=False),)


def _fresh_leaves_each_pass(trace: Trace, loop: LoopNode, step: OptimizerStep) -> bool:
    """Whether every tensor the stepped optimizer holds is made anew by a statement that runs
    in every iteration (``x_in = latents.detach().clone(); x_in.requires_grad = True; opt =
    SGD([x_in])``): each backward writes the ``.grad`` of a new leaf, which starts empty, so
    nothing adds up."""
    optimizer = step.optimizer
    if optimizer is None or not optimizer.params:
        return False
    return all(
        _runs_each_pass(loop.body, trace.owner.get(param.site, param.site))
        for param in optimizer.params
    )


_COPIES = frozenset({"clone", "detach", "requires_grad_"})
_FACTORIES = frozenset(
    {"randn", "rand", "zeros", "ones", "empty", "full", "tensor"}
    | {f"{name}_like" for name in ("randn", "rand", "zeros", "ones", "empty", "full")}
)


def _built_over_fresh_copies(loop: LoopNode, step: OptimizerStep) -> bool:
    """The same, read from the loop's text where the tensors' facts are unknown (a copy of
    what an unfollowed scheduler returned): in every iteration ``x_in = <...>.detach()
    .clone()`` (or a ``torch`` factory) and then ``opt = <Optimizer>([x_in, ...], ...)``,
    with no branch or inner loop in between that may rebind them."""
    name = step.receiver
    if not name.isidentifier():
        return False
    fresh: set[str] = set()
    for small in _each_pass(loop.body):
        if small is None:  # a branch or an inner loop: what it binds is not known here
            fresh.clear()
            continue
        if not isinstance(small, cst.Assign):
            continue
        targets = [t.target for t in small.targets]
        if len(targets) != 1 or not isinstance(targets[0], cst.Name):
            continue
        target = targets[0].value
        if target == name:
            return _optimizer_over(small.value, fresh)
        if _fresh_tensor(small.value):
            fresh.add(target)
        else:
            fresh.discard(target)
    return False


def _each_pass(block: cst.BaseSuite) -> Iterator[cst.BaseSmallStatement | None]:
    """The simple statements of ``block`` and of the ``with`` blocks in it, in order; ``None``
    for any other compound statement."""
    if not isinstance(block, cst.IndentedBlock):
        return
    for statement in block.body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from statement.body
        elif isinstance(statement, cst.With):
            yield from _each_pass(statement.body)
        else:
            yield None


def _fresh_tensor(value: cst.BaseExpression) -> bool:
    """``t.detach().clone()``, ``t.clone()``, ``t.detach()``, ``torch.zeros(...)``: a new
    tensor object, whose ``.grad`` is empty."""
    if not isinstance(value, cst.Call):
        return False
    func = value.func
    if isinstance(func, cst.Attribute) and func.attr.value in _COPIES:
        return True
    return (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value == "torch"
        and func.attr.value in _FACTORIES
    )


def _optimizer_over(value: cst.BaseExpression, fresh: set[str]) -> bool:
    """``torch.optim.SGD([x_in], lr=...)``: an optimizer class called on a list of names, each
    bound to a fresh tensor in this iteration."""
    if not isinstance(value, cst.Call) or not value.args or value.args[0].keyword is not None:
        return False
    func = value.func
    last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
    if not isinstance(last, str) or not last[:1].isupper():
        return False
    items = value.args[0].value
    if not isinstance(items, cst.List | cst.Tuple) or not items.elements:
        return False
    return all(
        isinstance(e, cst.Element) and isinstance(e.value, cst.Name) and e.value.value in fresh
        for e in items.elements
    )


def _runs_each_pass(block: cst.BaseSuite, target: cst.CSTNode) -> bool:
    """Whether ``target`` is a statement of ``block``, or of a ``with`` in it, at any depth
    of ``with`` only (a branch or an inner loop may skip it)."""
    if not isinstance(block, cst.IndentedBlock):
        return False
    for statement in block.body:
        if statement is target:
            return True
        if isinstance(statement, cst.With) and _runs_each_pass(statement.body, target):
            return True
    return False


def _resets(reset: GradReset, step: OptimizerStep) -> bool:
    """Whether a reset may clear the gradients the step uses: anything but ``zero_grad()``
    of another optimizer known to hold none of the stepped optimizer's parameters (a GAN
    loop that zeroes the generator's optimizer and never the discriminator's)."""
    mine, other = step.optimizer, reset.optimizer
    if other is None or other is mine:
        return True
    if mine is None or mine.params is None or other.params is None:
        return True
    return any(a is b or a.vc == b.vc for a in mine.params for b in other.params)
