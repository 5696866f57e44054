"""``layer.forward = wrapper`` on an instance: ``layer(x)`` then runs the wrapper as the
layer's forward (``nn.Module.__call__`` looks ``forward`` up on the instance first), and
``named_modules()`` / ``named_children()`` pair each known layer with its name. Each case
is also run on torch."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEADER = "import torch\nimport torch.nn as nn\n\n"

MASKED_WRAPPER = (
    "model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))\n"
    "masks = {}\n"
    "\n"
    "def instrument(layer, name):\n"
    "    original = layer.forward\n"
    "\n"
    "    def new_forward(*inputs):\n"
    "        layer.weight.data = layer.weight.data.mul(masks[name])\n"
    "        return original(*inputs)\n"
    "\n"
    "    layer.forward = new_forward\n"
    "\n"
    "for name, module in model.named_modules():\n"
    "    if isinstance(module, nn.Linear):\n"
    "        masks[name] = (module.weight.detach().abs() > 0.1).float()\n"
    "        instrument(module, name)\n"
    "\n"
    "model(torch.randn(2, 3)).sum().backward()\n"
)

# the same wrapper that masks with an ordinary op: autograd sees it
MASKED_OUT_OF_PLACE = MASKED_WRAPPER.replace(
    "        layer.weight.data = layer.weight.data.mul(masks[name])\n"
    "        return original(*inputs)\n",
    "        return torch.nn.functional.linear(inputs[0], layer.weight * masks[name], layer.bias)\n",
)

# a wrapper that only logs; the `.data` write is in the set-up, not in the forward
LOGGING_WRAPPER = (
    "layer = nn.Linear(3, 3)\n"
    "layer.weight.data = layer.weight.data.mul(0.5)\n"
    "seen = []\n"
    "original = layer.forward\n"
    "\n"
    "def logged(x):\n"
    "    seen.append(x.shape)\n"
    "    return original(x)\n"
    "\n"
    "layer.forward = logged\n"
    "layer(torch.randn(2, 3)).sum().backward()\n"
)

# a write through `.data` in a function that is never made a forward
NOT_A_FORWARD = (
    "layer = nn.Linear(3, 3)\n"
    "\n"
    "def shrink():\n"
    "    layer.weight.data = layer.weight.data.mul(0.5)\n"
    "\n"
    "layer.helper = shrink\n"
    "layer(torch.randn(2, 3)).sum().backward()\n"
    "shrink()\n"
)


def _codes(body: str) -> list[tuple[str, int]]:
    offset = HEADER.count("\n")
    return [(d.code, d.line - offset) for d in lint_source(HEADER + body, "case.py").diagnostics]


def test_a_data_write_in_a_forward_set_on_the_instance_is_in_the_forward() -> None:
    assert _codes(MASKED_WRAPPER) == [("AG001", 8)]


@pytest.mark.parametrize("body", [MASKED_OUT_OF_PLACE, LOGGING_WRAPPER, NOT_A_FORWARD])
def test_look_alikes_stay_silent(body: str) -> None:
    assert _codes(body) == []


@pytest.mark.torch
def test_torch_runs_the_wrapper_as_the_forward() -> None:
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)  # random weights: a seed whose mask prunes some (checked below)
    namespace: dict[str, object] = {}
    exec(HEADER + MASKED_WRAPPER, namespace)
    model = namespace["model"]
    masks = namespace["masks"]
    assert isinstance(model, torch.nn.Sequential) and isinstance(masks, dict)
    assert (masks["0"] == 0).any()
    first = model[0]
    # the pruned weights got gradient: autograd never saw the multiplication by the mask
    assert first.weight.grad[masks["0"] == 0].abs().sum() > 0
    torch.manual_seed(0)
    again: dict[str, object] = {}
    exec(HEADER + MASKED_OUT_OF_PLACE, again)
    first = again["model"][0]  # type: ignore[index]
    assert first.weight.grad[again["masks"]["0"] == 0].abs().sum() == 0  # type: ignore[index]
    for body in (LOGGING_WRAPPER, NOT_A_FORWARD):
        exec(HEADER + body, {})


def test_named_children_pair_each_layer_with_a_name() -> None:
    body = (
        "model = nn.Sequential(nn.Linear(3, 3), nn.Sigmoid())\n"
        "for name, child in model.named_children():\n"
        "    if isinstance(child, nn.Linear):\n"
        "        child.weight.requires_grad_(False)\n"
        "        child.bias.requires_grad_(False)\n"
        "model(torch.randn(2, 3)).sum().backward()\n"
    )
    assert [code for code, _ in _codes(body)] == ["AG003"]


@pytest.mark.torch
def test_torch_refuses_the_backward_when_every_layer_is_frozen() -> None:
    pytest.importorskip("torch")
    body = (
        "model = nn.Sequential(nn.Linear(3, 3), nn.Sigmoid())\n"
        "for name, child in model.named_children():\n"
        "    if isinstance(child, nn.Linear):\n"
        "        child.weight.requires_grad_(False)\n"
        "        child.bias.requires_grad_(False)\n"
        "model(torch.randn(2, 3)).sum().backward()\n"
    )
    with pytest.raises(RuntimeError, match="does not require grad"):
        exec(HEADER + body, {})
