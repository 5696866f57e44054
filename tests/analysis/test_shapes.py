"""Placeholder shapes follow from the witness's own ops."""

import pytest

from autograd_lint.analysis import shapes


def test_matmul_left_operand_takes_inner_dimension():
    script = "x = __placeholder_plain__\nw = torch.randn(4, 3, requires_grad=True)\ny = x @ w\n"
    assert shapes.infer(script, ["x"]) == {"x": (2, 4)}


def test_matmul_right_operand_becomes_a_vector():
    script = "W = torch.randn(5, 4)\nh = __placeholder_plain__\ny = W @ h\n"
    assert shapes.infer(script, ["h"]) == {"h": (4,)}


def test_elementwise_and_loss_partners_share_a_shape():
    script = (
        "t = torch.randn(8, 1)\np = __placeholder_nonleaf__\nl = F.mse_loss(p, t)\n"
        "q = __placeholder_leaf__\nr = q * torch.zeros(3)\n"
    )
    assert shapes.infer(script, ["p", "q"]) == {"p": (8, 1), "q": (3,)}


def test_linear_input_and_item():
    script = "lin = nn.Linear(6, 2)\nx = __placeholder_plain__\nout = lin(x)\nv = __placeholder_plain__\nf = v.item()\n"
    assert shapes.infer(script, ["x", "v"]) == {"x": (2, 6), "v": (1,)}


def test_unknown_use_gets_the_default():
    assert shapes.infer("x = __placeholder_plain__\nprint(x)\n", ["x"]) == {"x": shapes.DEFAULT}


@pytest.mark.parametrize(
    ("kind", "shape", "expected"),
    [
        ("leaf", (2, 3), "torch.randn(2, 3, requires_grad=True)"),
        ("plain", (4,), "torch.randn(4)"),
        ("nonleaf", (2, 3), "nn.Linear(3, 3)(torch.randn(2, 3))"),
        ("nonleaf", (), "nn.Linear(1, 1)(torch.randn(1)).sum()"),
    ],
)
def test_fill(kind, shape, expected):
    assert shapes.fill(kind, shape) == expected
