"""``from torch import *``: names the file does not bind are torch's."""

from __future__ import annotations

import builtins

import pytest

from autograd_lint.analysis.expressions import TORCH_EXPORTED_BUILTINS
from autograd_lint.lint import lint_source

STAR = """\
from torch import *

w = randn(3, requires_grad=True)
y = sigmoid(w)
y.detach().zero_()
y.sum().backward()
with no_grad():
    z = (w * 2).sum()
z.backward()
"""


def codes(source: str) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in lint_source(source).diagnostics]


def test_star_imported_torch_names_are_torch_api() -> None:
    assert codes(STAR) == [(5, "AG002"), (9, "AG003")]


def test_a_name_the_file_binds_is_its_own_not_torch() -> None:
    own = STAR.replace(
        "from torch import *\n", "from torch import *\n\n\ndef sigmoid(t):\n    return t * 1\n\n\n"
    )
    assert codes(own) == [(15, "AG003")]


def test_without_the_star_import_the_names_stay_unknown() -> None:
    assert codes("import torch\n" + STAR.split("\n", 1)[1]) == []


def test_star_imported_nn_layers_are_torch_nn() -> None:
    source = (
        "import torch\nfrom torch.nn import *\n\n"
        "layer = Linear(3, 3)\nfor p in layer.parameters():\n    p.requires_grad = False\n"
        "layer(torch.randn(2, 3)).sum().backward()\n"
    )
    assert codes(source) == [(7, "AG003")]


@pytest.mark.torch
def test_the_builtins_torch_replaces_are_those_in_its_all() -> None:
    import torch

    assert {n for n in torch.__all__ if hasattr(builtins, n)} == TORCH_EXPORTED_BUILTINS
