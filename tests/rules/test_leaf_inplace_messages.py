"""AG007's message names the leaf once, however it is reached."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEAD = "import torch\nimport torch.nn as nn\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "layers = [nn.Linear(2, 2)]\nlayers[0].weight -= 1\n",
            "augmented assignment to a parameter, with",
        ),
        (
            "ws = [torch.randn(2, requires_grad=True)]\nws[0].add_(1)\n",
            "on a leaf that requires grad, with",
        ),
        (
            "w = torch.randn(2, requires_grad=True)\nw.add_(1)\n",
            "on `w`, a leaf that requires grad, with",
        ),
    ],
)
def test_the_target_is_described_once(body: str, expected: str) -> None:
    (finding,) = lint_source(HEAD + body).diagnostics
    assert finding.code == "AG007"
    assert expected in finding.message
    assert "a parameter, a parameter" not in finding.message
