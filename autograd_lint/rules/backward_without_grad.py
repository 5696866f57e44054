"""AG003 backward-without-grad: backward on a tensor that surely does not require grad."""

from __future__ import annotations

from collections.abc import Iterator

from autograd_lint.analysis.trace import Backward, Trace
from autograd_lint.analysis.values import NoGradArm, Tensor, Tri
from autograd_lint.analysis.witness import NO_GRAD_FN as MESSAGE
from autograd_lint.analysis.witness import witness_for_no_grad, witness_for_one_arm
from autograd_lint.diagnostics import Diagnostic, Severity
from autograd_lint.rules._build import diagnostic, line_of
from autograd_lint.rules.base import Rule


class BackwardWithoutGrad(Rule):
    code = "AG003"
    name = "backward-without-grad"
    summary = "Backward on a tensor that does not require grad."
    why = """
A tensor computed only from tensors that do not require grad, from `.detach()`, under
`torch.no_grad()` / `torch.inference_mode()`, or re-wrapped from `.item()`, `.tolist()`
or `.numpy()` has no `grad_fn`. Calling `backward()` on it (or `torch.autograd.grad`)
raises "element 0 of tensors does not require grad and does not have a grad_fn" — and
where the cut is deliberate, the model is not being trained by this loss at all.
"""
    example = """
pred = model(x)
loss = torch.tensor(criterion(pred, y).item())   # a new leaf: the graph is gone
loss.backward()
"""
    use_instead = """
pred = model(x)
loss = criterion(pred, y)
loss.backward()
"""
    fix_note = "No automatic fix: the message names where the gradient was cut."
    default_severity = Severity.ERROR
    valid = (
        "w = torch.randn(3, requires_grad=True)\nloss = (w * 2).sum()\nloss.backward()\n",
        "x = torch.randn(3)\nx.requires_grad_()\nloss = (x * 2).sum()\nloss.backward()\n",
        "def step(loss):\n    loss.backward()\n",
    )
    invalid = (
        "x = torch.randn(3)\nloss = (x * 2).sum()\nloss.backward()\n",
        "w = torch.randn(3, requires_grad=True)\nloss = (w.detach() * 2).sum()\nloss.backward()\n",
        "w = torch.randn(3, requires_grad=True)\nwith torch.no_grad():\n    loss = (w * 2).sum()\nloss.backward()\n",
        "w = torch.randn(3, requires_grad=True)\nloss = torch.tensor((w * 2).sum().item())\nloss.backward()\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        for event in trace.of_type(Backward):
            tensor = event.tensor
            if not isinstance(tensor, Tensor):
                continue
            arm = tensor.no_grad_when
            if (
                event.requires_grad is Tri.UNKNOWN
                and arm is not None
                and event.uncertain <= arm.depth
            ):
                yield self._on_one_arm(trace, event, tensor, arm)
                continue
            if event.requires_grad is not Tri.NO:
                continue
            name = _named(tensor)
            related = []
            if tensor.cut_site is not None:
                where = f"the gradient was cut at line {line_of(trace, tensor.cut_site)} by {tensor.cut_reason}"
                related.append((tensor.cut_site, f"gradient cut here by {tensor.cut_reason}"))
            else:
                where = "it is built only from tensors that do not require grad"
            related.append((tensor.site, "created here"))
            call = _call_text(event)
            yield diagnostic(
                trace,
                self.code,
                event.site,
                f"{call} on {name}, which does not require grad: {where}; torch raises '{MESSAGE}'",
                Severity.ERROR,
                related,
                witness=witness_for_no_grad(trace, event),
            )

    def _on_one_arm(
        self, trace: Trace, event: Backward, tensor: Tensor, arm: NoGradArm
    ) -> Diagnostic:
        """A backward that raises whenever the program takes one arm of an ``if``."""
        name = _named(tensor)
        test = trace.module.code_for_node(arm.test)
        if len(test) > 60:
            test = test[:57] + "..."
        when = f"`{test}` is {'true' if arm.taken else 'false'}"
        line = line_of(trace, arm.test)
        call = _call_text(event)
        return diagnostic(
            trace,
            self.code,
            event.site,
            f"{call} on {name}, which does not require grad when {when} (line {line}): on that "
            f"path it is built only from tensors that do not require grad; torch raises "
            f"'{MESSAGE}' on the first such step",
            Severity.ERROR,
            [(arm.test, f"when {when}"), (arm.site, "created here without grad on that path")],
            witness=witness_for_one_arm(trace, arm, tensor.label),
        )


def _call_text(event: Backward) -> str:
    """How the message names the call that runs the backward."""
    texts = {"method": "backward()", "autograd.backward": "torch.autograd.backward()"}
    return texts.get(event.api, "torch.autograd.grad()")


def _named(tensor: Tensor) -> str:
    return f"`{tensor.label}`" if tensor.label else "the tensor"
