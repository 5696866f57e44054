"""The registry's in-place activations against real torch: which ones save their output.

An activation that saves its output makes a later in-place write to that output break the
backward (AG002); one that does not must leave such a write alone."""

from __future__ import annotations

import pytest

from autograd_lint import nn_modules

pytestmark = pytest.mark.torch

ARGUMENTS = {"LeakyReLU": (0.1,), "Threshold": (0.1, 0.0), "RReLU": (0.1, 0.3)}
SHAPES = {"Dropout1d": (2, 3, 5), "Dropout2d": (2, 3, 4, 5), "Dropout3d": (2, 3, 4, 5, 6)}


@pytest.mark.parametrize("name", sorted(nn_modules.INPLACE_ACTIVATIONS))
def test_saves_output_as_torch_does(name: str) -> None:
    torch = pytest.importorskip("torch")
    module = getattr(torch.nn, name)(*ARGUMENTS.get(name, ()), inplace=True)
    w = torch.randn(*SHAPES.get(name, (5,)), requires_grad=True)
    out = module(w * 1.0)
    out.mul_(2)
    try:
        out.sum().backward()
        saved = False
    except RuntimeError as error:
        assert "modified by an inplace operation" in str(error)
        saved = True
    assert nn_modules.INPLACE_ACTIVATIONS[name][1] is saved
