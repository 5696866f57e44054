"""Indexing with integer and bool tensors, and tensors used as Python indices: the mini
engine gives what torch gives (values, gradients, and the error torch raises first)."""

from __future__ import annotations

import pytest
from engine_harness import assert_same

from autograd_lint.runtime_check import engine

torch = pytest.importorskip("torch")

X = "x = torch.tensor([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 1.5, 2.5, 3.5]])\n"
LEAF = X.replace("]])\n", "]], requires_grad=True)\n")

PROGRAMS = (
    # long tensors as positions, with gradients through them
    LEAF + "i = torch.tensor([2, 0, 2])\ny = x[i]\ny.sum().backward()\n",
    LEAF + "i = torch.tensor([[0, 1], [2, 0]])\ny = x[i]\n(y * 2).sum().backward()\n",
    LEAF + "i = torch.tensor([1, 0])\nj = torch.tensor([0, 3])\ny = x[i, j]\ny.sum().backward()\n",
    LEAF + "i = torch.tensor([3, 1])\ny = x[:, i]\ny.sum().backward()\n",
    X + "i = torch.tensor(1)\ny = x[i]\nz = x[i:i + 2]\n",
    X + "i = torch.tensor([-3])\ny = x[i]\n",
    # bool masks
    LEAF + "m = x > 4.0\ny = x[m]\ny.sum().backward()\n",
    X + "m = torch.tensor([True, False, True])\ny = x[m]\nx[m] = 0.5\n",
    # writes through tensor indices
    "x = torch.zeros(4)\ni = torch.tensor([0, 2])\nx[i] = 1.0\n",
    "x = torch.zeros(2, 3)\ni = torch.tensor([1])\nx[i] = torch.tensor([1.0, 2.0, 3.0])\n",
    # tensors as Python indices and counts
    "lst = [10, 20, 30]\ni = torch.tensor(1)\nv = lst[i]\nw = lst[torch.tensor([2])]\n",
    "n = torch.tensor(3)\nk = len(list(range(n)))\n",
    "t = torch.tensor([3, 1, 2])\nd = str(t.dtype)\nu = t * 2\nf = t / 2\ns = int(t[0])\n",
    # what torch refuses, with its message
    "lst = [10, 20, 30]\ni = torch.tensor([1, 2])\nv = lst[i]\n",
    X + "i = torch.tensor([[1.0, 2.0], [1.0, 1.0]])\ny = x[i:i + 2]\n",
    X + "i = torch.tensor(1.0)\ny = x[i]\n",
    X + "i = torch.tensor([0.0, 1.0])\ny = x[i]\n",
    X + "i = torch.tensor([3])\ny = x[i]\n",
    X + "i = torch.tensor([-4])\ny = x[i]\n",
    X + "i = torch.tensor([0])\nj = torch.tensor([5])\ny = x[i, j]\n",
    X + "i = torch.tensor([4])\ny = x[:, i]\n",
    X + "i = torch.tensor([5])\nx[i] = 1.0\n",
    X + "m = torch.tensor([True, False])\ny = x[m]\n",
    X + "m = torch.tensor([True, False])\ny = x[:, m]\n",
    X + "m = torch.tensor([[True, False], [True, True], [False, False]])\ny = x[m]\n",
    "a = torch.tensor([1.0, 2.0])\nb = torch.from_numpy(a)\n",
    # integer positions out of range, numbered as torch numbers the dimensions
    X + "y = x[5]\n",
    X + "y = x[:, 7]\n",
    X + "y = x[1, 4]\n",
    X + "y = x[-4]\n",
    X + "y = x[0, 0, 0]\n",
    X + "y = x[0][1][0]\n",
    X + "x[3] = 1.0\n",
    "s = torch.tensor(2.0)\ny = s[:]\n",
    "s = torch.tensor(2.0)\ny = s[...]\nz = s[None]\n",
    # an embedding's indices outside its table
    "w = torch.zeros(2, 3)\ni = torch.tensor([0, 5])\ny = F.embedding(i, w)\n",
    "w = torch.zeros(2, 3)\ni = torch.tensor([-1])\ny = F.embedding(i, w)\n",
    "w = torch.zeros(2, 3, requires_grad=True)\ni = torch.tensor([[1, 0], [1, 1]])\n"
    "y = F.embedding(i, w)\ny.sum().backward()\n",
)


@pytest.mark.parametrize("source", PROGRAMS)
def test_tensor_indexing_agrees_with_torch(source: str) -> None:
    assert_same(source, engine, torch)


DIM_PROGRAMS = tuple(
    "a = torch.tensor([[1.0, 2.0], [3.0, 4.0]])\ni = torch.tensor([[0, 1], [1, 0]])\n" + line
    for line in (
        "y = torch.stack([a, a], dim=2)\n",
        "y = torch.stack([a, a], axis=3)\n",
        "y = torch.stack([a, a], dim=-4)\n",
        "y = torch.stack([a, a], dim=-3)\n",
        "y = torch.cat([a, a], dim=2)\n",
        "y = torch.cat([a, a], axis=-3)\n",
        "y = torch.cat([a, a], dim=-2)\n",
        "y = a.split(1, dim=2)\n",
        "y = a.chunk(2, dim=-3)\n",
        "y = torch.gather(a, 2, i)\n",
        "y = a.index_select(3, torch.tensor([0]))\n",
        "s = torch.tensor(3.0)\ny = torch.stack([s, s], dim=1)\nz = torch.stack([s, s], dim=2)\n",
    )
)


@pytest.mark.parametrize("source", DIM_PROGRAMS)
def test_dimensions_out_of_range_agree_with_torch(source: str) -> None:
    assert_same(source, engine, torch)
