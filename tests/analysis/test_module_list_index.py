"""``layers[i]`` of an ``nn.ModuleList``: the layer it is where that is known. A known
number (a literal, or a loop variable bound to each item of a known list in turn) picks
that child; any index picks the one layer that stands for each of a comprehension's
(``nn.ModuleList([Block() for _ in range(n)])``) until something else is appended. An
unknown index into layers that differ stays unknown."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEADER = """import torch
import torch.nn as nn

n, i = int(input()), int(input())
"""


def _lines(body: str, code: str = "AG007") -> list[int]:
    offset = HEADER.count("\n")
    result = lint_source(HEADER + body, "case.py")
    return [d.line - offset for d in result.diagnostics if d.code == code]


def test_a_loop_variable_bound_to_known_numbers_picks_each_layer() -> None:
    body = (
        "layers = nn.ModuleList([nn.Linear(3, 3), nn.Linear(3, 3)])\n"
        "def edit(bag):\n"
        "    for layer, pos in bag:\n"
        "        layers[layer].weight[:, pos] -= 1.0\n"
        "edit([(0, 1), (1, 2)])\n"
    )
    assert _lines(body) == [4]


def test_any_index_into_a_comprehension_of_layers_is_such_a_layer() -> None:
    body = "layers = nn.ModuleList([nn.Linear(3, 3) for _ in range(n)])\nlayers[i].weight[:, 1] -= 1.0\n"
    assert _lines(body) == [2]


@pytest.mark.parametrize(
    "body",
    [
        # something else appended: layers[i] may be that one
        "layers = nn.ModuleList([nn.Linear(3, 3) for _ in range(n)])\n"
        "layers.append(nn.ReLU())\nlayers[i].weight[:, 1] -= 1.0\n",
        # an unknown index into layers that are listed one by one
        "layers = nn.ModuleList([nn.Linear(3, 3), nn.Identity()])\nlayers[i].weight[:, 1] -= 1.0\n",
        # the edit done right
        "layers = nn.ModuleList([nn.Linear(3, 3) for _ in range(n)])\n"
        "with torch.no_grad():\n    layers[i].weight[:, 1] -= 1.0\n",
    ],
)
def test_look_alikes_stay_silent(body: str) -> None:
    assert _lines(body) == []


@pytest.mark.torch
def test_torch_raises_for_a_column_of_a_layer_weight() -> None:
    torch = pytest.importorskip("torch")
    layers = torch.nn.ModuleList([torch.nn.Linear(3, 3) for _ in range(2)])
    with pytest.raises(RuntimeError, match="a view of a leaf Variable that requires grad"):
        layers[1].weight[:, 1] -= 1.0
