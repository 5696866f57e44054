"""Custom autograd Functions (:mod:`autograd_lint.analysis.autograd_functions`):
``Fn.apply(x)`` runs the static ``forward`` with grad mode off, so a backward there finds
nothing that requires grad. Each case is also run on torch."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEADER = "import torch\nfrom torch.autograd import Function\n\n"

BACKWARD_IN_FORWARD = (
    "class Scale(Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        y = (x * 2).sum()\n"
    "        y.backward()\n"
    "        return x * 2\n"
    "\n"
    "    @staticmethod\n"
    "    def backward(ctx, grad):\n"
    "        return grad * 2\n"
    "\n"
    "x = torch.randn(3, requires_grad=True)\n"
    "out = Scale.apply(x)\n"
)

SAVES_AND_TRAINS = (
    "class Square(torch.autograd.Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        ctx.save_for_backward(x)\n"
    "        return x * x\n"
    "\n"
    "    @staticmethod\n"
    "    def backward(ctx, grad):\n"
    "        (x,) = ctx.saved_tensors\n"
    "        return 2 * x * grad\n"
    "\n"
    "x = torch.randn(3, requires_grad=True)\n"
    "Square.apply(x).sum().backward()\n"
)

ENABLE_GRAD_INSIDE = (
    "class Inner(Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        with torch.enable_grad():\n"
    "            z = x.detach().requires_grad_()\n"
    "            (z * z).sum().backward()\n"
    "        return z.grad\n"
    "\n"
    "    @staticmethod\n"
    "    def backward(ctx, grad):\n"
    "        return grad\n"
    "\n"
    "x = torch.randn(3, requires_grad=True)\n"
    "g = Inner.apply(x)\n"
)

NOT_TORCHS_FUNCTION = (
    "class Function:\n"
    "    @classmethod\n"
    "    def apply(cls, *args):\n"
    "        return cls.forward(None, *args)\n"
    "\n"
    "class Loss(Function):\n"
    "    @staticmethod\n"
    "    def forward(ctx, x):\n"
    "        y = (x * 2).sum()\n"
    "        y.backward()\n"
    "        return y\n"
    "\n"
    "x = torch.randn(3, requires_grad=True)\n"
    "out = Loss.apply(x)\n"
)

CASES = [
    (BACKWARD_IN_FORWARD, [("AG003", 5)], True),
    (SAVES_AND_TRAINS, [], False),
    (ENABLE_GRAD_INSIDE, [], False),
    # `from torch.autograd import Function` is shadowed: this `apply` is followed as written,
    # with grad mode on, and the backward inside is fine
    (NOT_TORCHS_FUNCTION, [], False),
]


def _codes(body: str) -> list[tuple[str, int]]:
    offset = HEADER.count("\n")
    return [(d.code, d.line - offset) for d in lint_source(HEADER + body, "case.py").diagnostics]


@pytest.mark.parametrize(("body", "expected", "raises"), CASES)
def test_forward_of_an_applied_function_runs_with_grad_mode_off(
    body: str, expected: list[tuple[str, int]], raises: bool
) -> None:
    assert _codes(body) == expected


@pytest.mark.torch
@pytest.mark.parametrize(("body", "expected", "raises"), CASES)
def test_torch_agrees(body: str, expected: list[tuple[str, int]], raises: bool) -> None:
    pytest.importorskip("torch")
    if raises:
        with pytest.raises(RuntimeError, match="does not require grad"):
            exec(HEADER + body, {})
    else:
        exec(HEADER + body, {})
