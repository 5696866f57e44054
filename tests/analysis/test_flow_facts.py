"""Facts that decide findings: in-place ops that take a graph from their operand, changes
made on one branch only, comparisons, constant branches and grad mode set by a plain call."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEADER = "import torch\n\n"

QUIET = {
    "copy_ from a tensor that requires grad": "buf = torch.zeros(3)\nbuf.copy_(w * 2)\nbuf.sum().backward()\n",
    "item assignment of a tensor that requires grad": "acc = torch.zeros(3)\nacc[0] = (w * 3).sum()\nacc.sum().backward()\n",
    "augmented assignment of a tensor that requires grad": "tot = torch.zeros(1)\ntot += (w ** 2).sum()\ntot.backward()\n",
    "in-place op with an operand of unknown facts": "def f(scale):\n    x = torch.zeros(3)\n    x.mul_(scale)\n    x.sum().backward()\n",
    "requires_grad_ on one branch only": "def f(flag):\n    x = torch.randn(3)\n    if flag:\n        x.requires_grad_()\n    (x * 2).sum().backward()\n",
    "detach_ on one branch only": "def f(flag):\n    y = w * 2\n    if flag:\n        y.detach_()\n    y.sum().backward()\n",
    "a branch that never runs": "if False:\n    never = torch.randn(3)\n    never.sum().backward()\n",
}

FLAGGED = {
    "a loss made of a comparison": ("loss = (w * 2 > 0).float().sum()\nloss.backward()\n", 5),
    "grad mode turned off by a plain call": (
        "torch.set_grad_enabled(False)\nv = torch.randn(3, requires_grad=True)\n(v * 2).sum().backward()\n",
        6,
    ),
    "detach_ on every path": ("y = w * 2\ny.detach_()\ny.sum().backward()\n", 6),
    "the main block runs": (
        'if __name__ == "__main__":\n    x = torch.randn(3)\n    x.sum().backward()\n',
        6,
    ),
    "a function analysed alone calls one defined after a module-level if": (
        "if len(w) > 2:\n    z = 1\n\n\ndef train():\n    make().backward()\n\n\n"
        "def make():\n    return torch.randn(3).sum()\n",
        9,
    ),
    "a function analysed alone calls one defined after a module-level loop": (
        "for i in range(len(w)):\n    z = i\n\n\ndef train():\n    make().backward()\n\n\n"
        "def make():\n    return torch.randn(3).sum()\n",
        9,
    ),
    "the other branch of a constant test": (
        "if True:\n    z = torch.randn(3)\nelse:\n    z = w\nz.sum().backward()\n",
        8,
    ),
}

PREAMBLE = HEADER + "w = torch.randn(3, requires_grad=True)\n"


def _codes(body: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in lint_source(PREAMBLE + body, "case.py").diagnostics]


@pytest.mark.parametrize("name", QUIET)
def test_quiet(name: str) -> None:
    assert _codes(QUIET[name]) == []


@pytest.mark.parametrize("name", FLAGGED)
def test_flagged(name: str) -> None:
    body, line = FLAGGED[name]
    assert ("AG003", line) in _codes(body)


def test_a_number_saved_by_mul_makes_a_second_backward_fail() -> None:
    # torch saves `2` as a wrapped tensor for `w * 2`; `w + 2` saves nothing
    twice = "l = {}.sum()\nl.backward()\nl.backward()\n"
    assert [c for c, _ in _codes(twice.format("(w * 2)"))] == ["AG004"]
    assert [c for c, _ in _codes(twice.format("(w / 2)"))] == ["AG004"]
    assert _codes(twice.format("(w + 2)")) == []


def test_legacy_constructors_and_variable_make_leaves() -> None:
    body = (
        "x = torch.FloatTensor([[1.0, 2.0]])\n"
        "w1 = torch.FloatTensor([[2.0], [1.0]])\n"
        "w1.requires_grad = True\n"
        "d = torch.matmul(x, w1)\n"
        "f = torch.matmul(d, torch.autograd.Variable(torch.ones(1), requires_grad=True))\n"
        "d[:] = 0\n"
        "f.sum().backward()\n"
    )
    assert ("AG002", 9) in _codes(body)
    assert _codes("z = torch.FloatTensor([1.0]) * 2\nz.sum().backward()\n")[0][0] == "AG003"
