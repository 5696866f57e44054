"""Exact shapes through reductions along a dimension, reshapes, basic indexing and the
``Linear`` / ``Conv`` layers, where every size that decides them is known; unknown stays
unknown (AG009 rests on these counts)."""

from __future__ import annotations

import pytest

from autograd_lint.analysis.interpreter import analyze
from autograd_lint.analysis.values import Tensor
from autograd_lint.lint import lint_source

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


def _shape(body: str, name: str = "r") -> tuple[int, ...] | None:
    """The exact shape of the tensor ``name`` is bound to at the top level, or ``None``."""
    trace = analyze(HEADER + "x = torch.randn(4, 3, 8, 8)\nv = torch.randn(4, 10)\n" + body)
    for bound in trace.bindings.values():
        value = bound.get(name)
        if isinstance(value, Tensor):
            return value.elements.shape if value.elements is not None else None
    return None


@pytest.mark.parametrize(
    ("expression", "shape"),
    [
        ("v.mean(dim=0)", (10,)),
        ("v.sum(1)", (4,)),
        ("v.sum(-1, keepdim=True)", (4, 1)),
        ("torch.mean(x, (2, 3))", (4, 3)),
        ("x.mean((2, 3), True)", (4, 3, 1, 1)),
        ("v.norm(dim=1)", (4,)),
        ("v.max(1)[0]", (4,)),
        ("torch.min(v, dim=0)[1]", (10,)),
        ("v.view(-1)", (40,)),
        ("v.reshape(2, -1)", (2, 20)),
        ("x.flatten(1)", (4, 192)),
        ("torch.flatten(x, 2)", (4, 3, 64)),
        ("v.unsqueeze(1)", (4, 1, 10)),
        ("v[:, :1].squeeze()", (4,)),
        ("v[:, :1].squeeze(1)", (4,)),
        ("v.squeeze(0)", (4, 10)),
        ("x.permute(0, 2, 3, 1)", (4, 8, 8, 3)),
        ("x.transpose(1, 3)", (4, 8, 8, 3)),
        ("v.t()", (10, 4)),
        ("v[:, 3]", (4,)),
        ("v[0]", (10,)),
        ("v[-1, 2:5]", (3,)),
        ("x[..., 0]", (4, 3, 8)),
        ("v[None, :, ::2]", (1, 4, 5)),
    ],
)
def test_known_shapes_flow(expression: str, shape: tuple[int, ...]) -> None:
    assert _shape(f"r = {expression}\n") == shape


@pytest.mark.parametrize(
    "expression",
    [
        "v.sum(dims)",  # a dimension not known
        "v.sum(2)",  # out of range: torch raises
        "v.sum((0, 0))",  # a dimension named twice: torch raises
        "v.mean(1, keepdim=flag)",
        "v.view(3, -1)",  # 40 elements do not fit: torch raises
        "v.view(n, -1)",
        "v[:, 10]",  # out of range: torch raises
        "v[:, k]",  # a name of unknown value: it may be a tensor
        "v[idx]",
        "v[v > 0]",  # a mask: the count depends on the values
        "v[:, a:b]",
        "x.permute(0, 1)",
    ],
)
def test_what_is_not_known_is_not_guessed(expression: str) -> None:
    assert _shape(f"r = {expression}\n") is None


def test_a_known_number_indexes_as_a_literal_would() -> None:
    assert _shape("k = 3\nr = v[:, k]\n") == (4,)


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        ("nn.Linear(10, 5)", (4, 5)),
        ("nn.Linear(in_features=10, out_features=1)", (4, 1)),
        ("nn.Sequential(nn.Linear(10, 6), nn.ReLU(), nn.Linear(6, 2))", (4, 2)),
    ],
)
def test_linear_maps_the_last_dimension(layer: str, shape: tuple[int, ...]) -> None:
    assert _shape(f"m = {layer}\nr = m(v)\n") == shape


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        ("nn.Conv2d(3, 4, 3, padding=1)", (4, 4, 8, 8)),
        ("nn.Conv2d(3, 4, kernel_size=3)", (4, 4, 6, 6)),
        ("nn.Conv2d(3, 16, (3, 1), stride=2)", (4, 16, 3, 4)),
        ("nn.Conv2d(3, 2, 5, padding='same')", (4, 2, 8, 8)),
        ("nn.Conv2d(3, 2, 3, dilation=2)", (4, 2, 4, 4)),
    ],
)
def test_convolution_sizes(layer: str, shape: tuple[int, ...]) -> None:
    assert _shape(f"m = {layer}\nr = m(x)\n") == shape


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        ("nn.Flatten()", (4, 192)),  # from dim 1, unlike torch.flatten
        ("nn.Flatten(0)", (768,)),
        ("nn.Flatten(start_dim=2)", (4, 3, 64)),
        ("nn.Sequential(nn.Flatten(1), nn.Linear(192, 7))", (4, 7)),
    ],
)
def test_flatten_layers(layer: str, shape: tuple[int, ...]) -> None:
    assert _shape(f"m = {layer}\nr = m(x)\n") == shape


def test_a_flatten_layer_of_unknown_dims_keeps_only_the_count() -> None:
    assert _shape("m = nn.Flatten(d)\nr = m(x)\n") is None


def test_conv1d_sizes() -> None:
    assert _shape("m = nn.Conv1d(8, 2, 3)\nr = m(torch.randn(5, 8, 10))\n") == (5, 2, 8)


@pytest.mark.parametrize(
    ("layer", "given"),
    [
        ("nn.Conv2d(4, 4, 3)", "x"),  # the input has 3 channels: torch raises
        ("nn.Conv2d(3, 4, 9)", "x"),  # the kernel is larger than the input
        ("nn.Conv2d(3, c, 3)", "x"),  # a size not known
        ("nn.Conv2d(3, 4, 3)", "v"),  # not an image batch
        ("nn.Linear(8, 5)", "v"),  # the input's last dimension is 10: torch raises
        ("nn.Linear(w, 5)", "v"),  # the width not known: only "not one element" is
    ],
)
def test_layers_that_do_not_fit_tell_nothing(layer: str, given: str) -> None:
    assert _shape(f"m = {layer}\nr = m({given})\n") is None


def test_sizes_from_known_names() -> None:
    assert _shape("c = 6\nm = nn.Linear(10, c * 2)\nr = m(v)\n") == (4, 12)


GRADCAM = HEADER + (
    "class Net(nn.Module):\n"
    "    def __init__(self):\n"
    "        super().__init__()\n"
    "        self.conv = nn.Conv2d(3, 8, 3, padding=1)\n"
    "        self.fc = nn.Linear(8, 10)\n\n"
    "    def forward(self, x):\n"
    "        return self.fc(F.relu(self.conv(x)).mean((2, 3)))\n\n\n"
    "def explain(model, images, class_idx):\n"
    "    score = model(images)[:, class_idx].squeeze()\n"
    "    score.backward()\n\n\n"
    "explain(Net(), torch.randn({batch}, 3, 16, 16), 3)\n"
)


def test_a_class_score_of_a_batch_is_not_a_scalar() -> None:
    codes = [d.code for d in lint_source(GRADCAM.format(batch=4), "case.py").diagnostics]
    assert "AG009" in codes


def test_a_class_score_of_one_image_is() -> None:
    """The same with a batch of one: ``[:, 3]`` leaves one element, ``squeeze`` a scalar."""
    codes = [d.code for d in lint_source(GRADCAM.format(batch=1), "case.py").diagnostics]
    assert "AG009" not in codes


@pytest.mark.parametrize(
    ("body", "shape"),
    [
        ("n = 5\nr = torch.randn(n, 2)\n", (5, 2)),
        ("n = 5\nr = torch.zeros([n, n + 1])\n", (5, 6)),
        ("n = 5\nr = torch.randint(0, 10, (n,))\n", (5,)),
        ("r = torch.randint(10, (2, 3))\n", (2, 3)),
        ("r = torch.randint(0, 10, size=(4,))\n", (4,)),
        ("r = torch.autograd.Variable(v)\n", (4, 10)),
        ("r = v.long()\n", (4, 10)),
        ("r = v.data[:, 0]\n", (4,)),
        ("idx = torch.randint(0, 10, (6,))\nr = v[:, idx]\n", (4, 6)),
        ("idx = torch.randint(0, 4, (6,))\nr = v[idx]\n", (6, 10)),
        ("idx = torch.randint(0, 4, (2, 3))\nr = v[idx, 1:]\n", (2, 3, 9)),
    ],
)
def test_known_sizes_and_integer_indices(body: str, shape: tuple[int, ...]) -> None:
    assert _shape(body) == shape


@pytest.mark.parametrize(
    "body",
    [
        "r = torch.randn(m, 2)\n",  # a size not known
        "r = torch.randint(0, 10, 5)\n",  # not a tuple: torch raises
        "r = torch.randn(*dims)\n",
        # an index of the shape of the dimension it covers may be a bool mask, whose count
        # depends on its values
        "mask = torch.randint(0, 2, (4,))\nr = v[mask]\n",
        "mask = torch.randint(0, 2, (4, 10))\nr = v[mask]\n",
        "idx = torch.randint(0, 4, (6,))\nr = v[idx, 0]\n",  # mixed with an int: not here
    ],
)
def test_sizes_and_indices_not_known(body: str) -> None:
    assert _shape(body) is None


def test_an_integer_copy_does_not_require_grad() -> None:
    """``w.long()`` has no grad_fn: a loss built only from it cannot be backpropagated; one
    that also multiplies by ``w`` can."""
    head = HEADER + "w = torch.randn(3, requires_grad=True)\n"
    cut = lint_source(head + "w.long().sum().backward()\n", "case.py").diagnostics
    kept = lint_source(head + "(w.long() * w).sum().backward()\n", "case.py").diagnostics
    assert [d.code for d in cut] == ["AG003"]
    assert [d.code for d in kept] == []
