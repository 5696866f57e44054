"""A finding the program never reaches as written (an earlier statement surely raises) is
replayed but not reported as confirmed; its verdict names the statement that stops it."""

from __future__ import annotations

import pytest

from autograd_lint.config import Settings
from autograd_lint.diagnostics import Expectation, Witness
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]

SMOOTHGRAD = """import torch
import torch.nn as nn


def backprop(model, inp):
    inp.requires_grad = True
    output = model(inp)
    output.backward(torch.ones_like(output))
    return inp.grad


def smooth(model, inp):
    stdev = 0.15 * (inp.max() - inp.min())
    for i in range(3):
        noisy = inp + torch.randn_like(inp) * stdev
        backprop(model, noisy)


model = nn.Linear(4, 2)
x = torch.randn(3, 4)
backprop(model, x)
smooth(model, x)
"""
GUARDED = (
    SMOOTHGRAD.replace("import torch\n", "import sys\n\nimport torch\n", 1)
    .replace(
        "def backprop(model, inp):\n    inp.requires_grad = True",
        "def backprop(model, inp):\n    if FRESH:\n        inp.requires_grad = True",
    )
    .replace(
        "x = torch.randn(3, 4)\n",
        "FRESH = len(sys.argv) > 2\nx = torch.randn(3, 4, requires_grad=True)\n",
    )
)
"""The same flag set only where a setting the file cannot know says so."""


def _second_backward(source: str) -> Witness:
    result = lint_source(source, "t.py", Settings(select=("AG004", "AG008")), witnesses=True)
    codes = sorted(d.code for d in result.diagnostics)
    (finding,) = [d for d in result.diagnostics if d.code == "AG004"]
    assert finding.witness is not None, codes
    return finding.witness


def test_a_backward_after_a_sure_raise_is_latent() -> None:
    witness = _second_backward(SMOOTHGRAD)
    assert witness.latent.startswith("the program stops earlier: line 6 (`inp.requires_grad")


def test_a_raise_under_a_condition_does_not_make_it_latent() -> None:
    assert _second_backward(GUARDED).latent == ""


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_latent_finding_is_replayed_but_not_confirmed(backend: str) -> None:
    if backend == "torch":
        pytest.importorskip("torch")
    latent = _second_backward(SMOOTHGRAD)
    (verdict,) = confirm_many([latent], backend=backend)
    assert verdict.status == "not_replayable", verdict
    assert verdict.evidence.startswith("not confirmed as written: the program stops earlier")
    assert "replayed past that, it reproduces" in verdict.evidence
    (plain,) = confirm_many([_second_backward(GUARDED)], backend=backend)
    assert plain.status == "confirmed", plain


def test_a_latent_witness_that_does_not_reproduce_says_so() -> None:
    witness = Witness(
        "import torch\nw = torch.randn(3, requires_grad=True)\n(w * 2).sum().backward()\n",
        Expectation(kind="raises", exception="RuntimeError", message="Trying to backward"),
        latent="the program stops earlier: line 3 (`x`) raises",
    )
    (verdict,) = confirm_many([witness], backend="mini")
    assert verdict.status == "not_replayable"
    assert "replayed past that, it does not reproduce" in verdict.evidence
