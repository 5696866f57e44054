"""A name the slice reads but does not bind, bound in the file to a layer's parameter, is
named through the layer the witness creates rather than replaced by a stand-in."""

from __future__ import annotations

import pytest

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

SOURCE = """import torch
import torch.nn as nn

token_embedding = nn.Embedding(16, 8)
emb_vec = token_embedding.weight
u = 3
row = emb_vec[u].numpy()
"""


@pytest.mark.parametrize("backend", ["mini", pytest.param("torch", marks=pytest.mark.torch)])
def test_a_parameter_read_through_a_name_is_the_layers_own(backend: str) -> None:
    if backend == "torch":
        pytest.importorskip("torch")
    result = lint_source(SOURCE, "t.py", Settings(select=("AG011",)), witnesses=True)
    (finding,) = result.diagnostics
    assert finding.witness is not None
    lines = finding.witness.script.splitlines()
    assert "emb_vec = token_embedding.weight" in lines
    assert lines.index("token_embedding = nn.Embedding(16, 8)") < lines.index(
        "emb_vec = token_embedding.weight"
    )
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


SIZE_SOURCE = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 2, 3, padding=1)

    def forward(self, image):
        pred = self.conv(image)
        size = pred.size()
        return pred.argmax(1).view(size[0], 1, size[2], size[3]).float()


net = Net()
loss = net(torch.rand(2, 3, 8, 8)).mean()
loss.backward()
"""


def test_a_size_read_the_provenance_missed_is_bound_as_the_file_binds_it() -> None:
    result = lint_source(SIZE_SOURCE, "t.py", Settings(select=("AG003",)), witnesses=True)
    (finding,) = result.diagnostics
    assert finding.witness is not None
    script = finding.witness.script
    assert "size = pred.size()" in script
    assert "stand-in" not in script
    (verdict,) = confirm_many([finding.witness], backend="mini")
    assert verdict.status == "confirmed", verdict
