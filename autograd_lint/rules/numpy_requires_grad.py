"""AG011 numpy-requires-grad: ``.numpy()`` on a tensor that requires grad."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from autograd_lint.analysis.trace import NumpyOfGrad, Trace
from autograd_lint.analysis.values import Tensor
from autograd_lint.analysis.witness_tensor_api import NUMPY_REQUIRES_GRAD, witness_for_numpy
from autograd_lint.diagnostics import Diagnostic, Fix, Severity
from autograd_lint.rules._build import diagnostic, replace_node, short
from autograd_lint.rules.base import Rule

_DEVICE_MOVES = frozenset({"cpu", "cuda", "to", "float", "double", "half"})
"""Moves and casts between the tensor and ``.numpy()``; the fix detaches before them."""


class NumpyRequiresGrad(Rule):
    code = "AG011"
    name = "numpy-requires-grad"
    summary = "`.numpy()` on a tensor that requires grad."
    why = """
A NumPy array cannot carry autograd history, so torch refuses to convert a tensor that
requires grad while grad mode is on: "Can't call numpy() on Tensor that requires grad. Use
tensor.detach().numpy() instead." It typically hits a model's output or a loss being logged,
plotted or handed to scikit-learn, often only after `.cpu()` was added (moving the tensor
keeps `requires_grad`). Under `torch.no_grad()` the conversion works, and results computed
there do not require grad, so neither is reported. `x.clone().numpy()` is reported by AG005
(clone-instead-of-detach), whose fix also fits here; AG011 stays silent on it so that the
line gets one finding. NumPy functions that turn their argument into an array convert the
tensors in it the same way and fail the same way: `np.sum([loss_a, loss_b])`,
`np.array(t)`, `np.stack(outputs)`. Those have no automatic fix: computing them with torch
keeps the gradient, converting detached values drops it, and only the author knows which
was meant.
"""
    example = """
probs = model(x).softmax(dim=1)
plt.plot(probs.cpu().numpy())
"""
    use_instead = """
probs = model(x).softmax(dim=1)
plt.plot(probs.detach().cpu().numpy())
"""
    fix_note = (
        "Safe fix: `.detach()` before `.numpy()`, ahead of a `.cpu()` / `.cuda()` / `.to(...)` "
        "move that is kept (`t.cpu().numpy()` becomes `t.detach().cpu().numpy()`). None for "
        "a NumPy function's implicit conversion."
    )
    default_severity = Severity.ERROR
    valid = (
        "w = torch.randn(3, requires_grad=True)\na = w.detach().numpy()\n",
        "w = torch.randn(3, requires_grad=True)\nwith torch.no_grad():\n    a = (w * 2).numpy()\n",
        "w = torch.randn(3, requires_grad=True)\nwith torch.no_grad():\n    y = w * 2\na = y.numpy()\n",
        "x = torch.randn(3)\na = (x * 2).numpy()\n",
        "def show(t):\n    return t.numpy()\n",
    )
    invalid = (
        "w = torch.randn(3, requires_grad=True)\na = w.numpy()\n",
        "fc = nn.Linear(2, 2)\nout = fc(torch.randn(4, 2))\na = out.cpu().numpy()\n",
        "w = torch.randn(3, requires_grad=True)\nloss = (w * 2).sum()\nprint(loss.numpy())\n",
    )

    def check(self, trace: Trace) -> Iterator[Diagnostic]:
        for event in trace.of_type(NumpyOfGrad):
            tensor = event.tensor
            receiver = event.call.func.value if isinstance(event.call.func, cst.Attribute) else None
            name = (
                f"`{tensor.label}`"
                if tensor.label and not tensor.label.startswith(".")
                else (f"`{short(trace, receiver)}`" if receiver is not None else "the tensor")
            )
            if event.implicit:
                yield diagnostic(
                    trace,
                    self.code,
                    event.site,
                    f"`{short(trace, event.call.func)}()` converts {_implicit_name(tensor)}, "
                    f"which requires grad, to a numpy array: torch raises "
                    f"'{NUMPY_REQUIRES_GRAD}'; compute it with torch (the gradient flows) or "
                    "convert `.detach()`ed values (it does not)",
                    Severity.ERROR,
                    [(tensor.site, "requires grad from here")],
                    witness=witness_for_numpy(trace, event),
                )
                continue
            yield diagnostic(
                trace,
                self.code,
                event.site,
                f"`.numpy()` on {name}, which requires grad: torch raises "
                f"'{NUMPY_REQUIRES_GRAD}'; use `.detach().numpy()`",
                Severity.ERROR,
                [(tensor.site, "requires grad from here")],
                fixes=_detach_fix(trace, event.call),
                witness=witness_for_numpy(trace, event),
            )


def _detach_fix(trace: Trace, call: cst.Call) -> tuple[Fix, ...]:
    """``X.numpy()`` -> ``X.detach().numpy()``; ``X.cpu().numpy()`` -> ``X.detach().cpu().numpy()``."""
    if not isinstance(call.func, cst.Attribute):
        return ()
    receiver = call.func.value
    moves: list[cst.Call] = []
    while (
        isinstance(receiver, cst.Call)
        and isinstance(receiver.func, cst.Attribute)
        and receiver.func.attr.value in _DEVICE_MOVES
    ):
        moves.append(receiver)
        receiver = receiver.func.value
    base = trace.code_of(receiver)
    if not isinstance(
        receiver, cst.Name | cst.Attribute | cst.Call | cst.Subscript
    ) and not getattr(receiver, "lpar", ()):
        base = f"({base})"
    tail = "".join(
        f".{move.func.attr.value}({_arguments(trace, move)})"
        for move in reversed(moves)
        if isinstance(move.func, cst.Attribute)
    )
    arguments = _arguments(trace, call)
    return (
        replace_node(
            trace,
            call,
            f"{base}.detach(){tail}.numpy({arguments})",
            "Use `.detach().numpy()`",
            safe=True,
        ),
    )


def _arguments(trace: Trace, call: cst.Call) -> str:
    return ", ".join(trace.code_of(arg).rstrip(", ").strip() for arg in call.args)


def _implicit_name(tensor: Tensor) -> str:
    if tensor.label and not tensor.label.startswith("."):
        return f"`{tensor.label}`"
    return "a tensor"
