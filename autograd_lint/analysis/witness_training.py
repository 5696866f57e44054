"""Witnesses for the training-loop rules (AG010, AG015, AG016).

A training loop cannot be cut into a few straight-line statements the way a single
backward can: what these findings rest on is what one iteration leaves to the next. So each
witness is the smallest loop of the same shape, written with the file's own accumulation
form (``+=``, ``append``), step and copy (``.double()``, ``* 1``, ``.clone()``), over a
stand-in ``nn.Linear``. It runs unchanged under torch, and on the mini engine.
"""

from __future__ import annotations

from autograd_lint.analysis.trace import Accumulation, OptimizerFromCopy, Trace
from autograd_lint.diagnostics import Expectation, Witness

NODES_HELPER = "autograd_nodes"
"""The observation helper the sandbox provides: the number of distinct autograd nodes
reachable from a tensor's ``grad_fn`` (0 for a tensor without one)."""
NON_LEAF_MESSAGE = "can't optimize a non-leaf Tensor"
"""torch's ValueError when an optimizer is given a tensor that is not a leaf."""

_LAYER = "layer = nn.Linear(2, 1)\nx = torch.ones(1, 2)\n"


def _accumulation_script(how: str, iterations: int) -> str:
    if how == "append":
        start, keep, observe = "kept = []\n", "    kept.append(loss)\n", "total = sum(kept)\n"
    else:
        start, keep, observe = "total = 0\n", "    total += loss\n", ""
    return (
        "import torch\nimport torch.nn as nn\n"
        f"{_LAYER}{start}"
        f"for _ in range({iterations}):\n"
        "    loss = layer(x).sum()\n"
        f"{keep}{observe}"
    )


def witness_for_accumulation(trace: Trace, event: Accumulation) -> Witness | None:
    """Four iterations keep more autograd nodes alive than two: the graph grows."""
    if not trace.want_witnesses:
        return None
    return Witness(
        _accumulation_script(event.how, 4),
        Expectation(
            kind="differs",
            observe=f"{NODES_HELPER}(total)",
            control_script=_accumulation_script(event.how, 2),
        ),
        "the autograd nodes kept alive by the accumulator grow with the iterations "
        "(four iterations against two)",
    )


def _steps_script(zero_grad: bool) -> str:
    reset = "    opt.zero_grad()\n" if zero_grad else ""
    return (
        "import torch\nimport torch.nn as nn\n"
        "w = nn.Parameter(torch.tensor([1.0, 2.0]))\n"
        "opt = torch.optim.SGD([w], lr=0.0)\n"
        "xs = [torch.tensor([1.0, -1.0]), torch.tensor([0.5, 3.0])]\n"
        "for i in range(2):\n"
        f"{reset}"
        "    (w * xs[i]).sum().backward()\n"
        "    opt.step()\n"
    )


def witness_for_missing_zero_grad(trace: Trace) -> Witness | None:
    """Two steps without ``zero_grad``: the second gradient is the sum of both."""
    if not trace.want_witnesses:
        return None
    return Witness(
        _steps_script(zero_grad=False),
        Expectation(kind="equals", observe="w.grad.tolist()", value="[1.5, 2.0]"),
        "the second step's `.grad` is the sum of the two steps' gradients "
        "([1.0, -1.0] + [0.5, 3.0])",
    )


_COPIES = {
    ".clone()": "layer.weight.clone()",
    "`* 1`": "layer.weight * 1",
    "`+ 0`": "layer.weight + 0",
}


def witness_for_param_copy(trace: Trace, event: OptimizerFromCopy) -> Witness | None:
    """The optimizer refuses a copy that is a non-leaf; a conversion is shown with
    ``.double()`` (a float32 parameter converted to float64, as any dtype or device change
    converts it)."""
    if not trace.want_witnesses:
        return None
    copy = _COPIES.get(event.how, "layer.weight.double()")
    return Witness(
        "import torch\nimport torch.nn as nn\n"
        "layer = nn.Linear(2, 1)\n"
        f"copy = {copy}\n"
        "opt = torch.optim.SGD([copy], lr=0.1)\n",
        Expectation(kind="raises", exception="ValueError", message=NON_LEAF_MESSAGE),
        "the optimizer is handed a copy of the parameter, a non-leaf: torch refuses it",
    )
