"""``torch.max(a, b)`` / ``torch.min(a, b)`` of two tensors are elementwise (``torch.maximum``),
differentiable in both operands; ``torch.max(x)`` and ``torch.max(x, dim)`` reduce."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEADER = "import torch\n\nw = torch.randn(3, requires_grad=True)\nc = torch.randn(3)\n"


def _codes(body: str) -> list[str]:
    return [d.code for d in lint_source(HEADER + body, "case.py").diagnostics]


@pytest.mark.parametrize(
    "call",
    [
        "torch.max(torch.zeros(1), w * 2)",
        "torch.min(torch.zeros(1), w * 2)",
        "torch.max(torch.zeros(1), other=w)",
        "torch.zeros(1).max(w)",
        "torch.zeros(1).min(w + 1)",
    ],
)
def test_the_second_tensor_carries_the_graph(call: str) -> None:
    """The hinge ``torch.max(zero, margin - score)``: only the second operand requires grad."""
    assert "AG003" not in _codes(f"{call}.sum().backward()\n")


@pytest.mark.parametrize(
    "call",
    ["torch.max(c, torch.zeros(1))", "c.max(torch.zeros(1))", "torch.max(c, 0)[0]"],
)
def test_neither_operand_requires_grad(call: str) -> None:
    assert "AG003" in _codes(f"{call}.sum().backward()\n")


def test_a_second_operand_of_unknown_kind_may_be_a_tensor() -> None:
    """``torch.max(zeros, pred)`` with ``pred`` a parameter: it may be a tensor that requires
    grad (or a dimension): nothing is known, nothing is reported."""
    body = "def hinge(pred):\n    torch.max(torch.zeros(3), pred).sum().backward()\n"
    assert _codes(body) == []


def test_the_elementwise_form_keeps_the_shape() -> None:
    assert "AG009" in _codes("torch.max(w, torch.zeros(1)).backward()\n")
    assert "AG009" in _codes("w.min(torch.zeros(3)).backward()\n")


@pytest.mark.parametrize(
    "call", ["torch.max(w)", "torch.max(w, 0)[0]", "w.max()", "torch.max(w, dim=0).values"]
)
def test_the_reductions_are_not_elementwise(call: str) -> None:
    assert "AG009" not in _codes(f"{call}.backward()\n")
