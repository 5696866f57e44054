"""Layers known to hold no parameters pass requires_grad through from their input.

``nn.Flatten`` between frozen layers must not make the output require grad (an unknown
layer might hold parameters of its own, so its output does); a model whose every
parameter is frozen then gives a loss that does not require grad (AG003).
"""

from __future__ import annotations

from autograd_lint.lint import lint_source

MODEL = (
    "import torch\nimport torch.nn as nn\n\n"
    "net = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), {layer}, nn.Linear(4 * 8 * 8, 10))\n"
    "for param in {frozen}.parameters():\n"
    "    param.requires_grad = False\n"
    "loss = net(torch.randn(2, 3, 8, 8)).sum()\n"
    "loss.backward()\n"
)


def _codes(layer: str, frozen: str = "net") -> list[str]:
    source = MODEL.format(layer=layer, frozen=frozen)
    return [d.code for d in lint_source(source, "case.py").diagnostics]


def test_flatten_between_frozen_layers_keeps_the_loss_without_grad() -> None:
    assert _codes("nn.Flatten()") == ["AG003"]


def test_flatten_before_a_trainable_layer_is_quiet() -> None:
    assert _codes("nn.Flatten()", frozen="net[0]") == []


def test_an_unknown_layer_may_hold_parameters() -> None:
    assert _codes("nn.SomeLayer()") == []
