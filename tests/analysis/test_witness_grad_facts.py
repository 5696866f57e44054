"""AG007's witness: which of torch's two errors a slice write raises, and the write whose
value the script cannot compute."""

from __future__ import annotations

import pytest

from autograd_lint.analysis.interpreter import analyze
from autograd_lint.analysis.trace import LeafInplace
from autograd_lint.analysis.witness_grad_facts import (
    LEAF_INPLACE,
    VIEW_OF_LEAF_INPLACE,
    inplace_message,
)
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]
WRITES = [
    ("w[:, 0::2] = 1.0", VIEW_OF_LEAF_INPLACE),  # strided: a view whatever the bounds
    ("w[::2] = 1.0", VIEW_OF_LEAF_INPLACE),
    ("w[0:] = 1.0", LEAF_INPLACE),  # from the start to the end: w itself
    ("w[0::1] = 1.0", LEAF_INPLACE),
    ("w[:, :] = 1.0", LEAF_INPLACE),
    ("w[1:] = 1.0", None),  # a view, unless the dimension has one element
    ("w[:, 0:n:2] = 1.0", VIEW_OF_LEAF_INPLACE),
    ("w[::k] = 1.0", None),  # a step the analysis does not know
]


@pytest.mark.parametrize(("write", "message"), WRITES)
def test_which_message_a_slice_write_gets(write: str, message: str | None) -> None:
    source = f"import torch\nn = 2\nk = int(input())\nw = torch.randn(4, 4, requires_grad=True)\n{write}\n"
    (event,) = analyze(source).of_type(LeafInplace)
    assert inplace_message(event) == message


@pytest.mark.torch
@pytest.mark.parametrize(("write", "message"), [w for w in WRITES if w[1] is not None])
def test_torch_gives_that_message(write: str, message: str) -> None:
    torch = pytest.importorskip("torch")
    for shape in ((4, 4), (1, 1)):
        w = torch.randn(*shape, requires_grad=True)
        with pytest.raises(RuntimeError) as raised:
            exec(write, {"w": w, "n": 2})
        assert str(raised.value).startswith(message)


SINUSOIDAL = """import numpy as np
import torch
import torch.nn as nn


def fill(E, dim):
    theta = np.array([[p / np.power(10000, j / dim) for j in range(dim)] for p in range(4)])
    E[:, 0::2] = torch.FloatTensor(np.sin(theta[:, 0::2]))


class Embeddings(nn.Module):
    def __init__(self, d_model, positions):
        super().__init__()
        self.position = nn.Embedding(positions, d_model)
        fill(self.position.weight, d_model)


emb = Embeddings(8, 4)
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_write_of_a_value_the_script_cannot_compute_is_witnessed(backend: str) -> None:
    result = lint_source(SINUSOIDAL, "t.py", Settings(select=("AG007",)), witnesses=True)
    (finding,) = result.diagnostics
    witness = finding.witness
    assert witness is not None
    assert "E = self_position.weight" in witness.script  # the parameter, not a stand-in
    assert "E[:, 0::2] = 0.0" in witness.script and "np." not in witness.script
    assert "stands in as 0.0" in witness.description
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "confirmed", verdict
