"""Patterns from real code bases that were once reported wrongly, each reduced to a few lines,
next to the look-alike that must still be found.

Each negative names where the pattern was seen; each torch check shows the behaviour the
verdict rests on, on the installed torch.
"""

from __future__ import annotations

import warnings

import pytest
import torch
from torch import nn

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

ALL = Settings(select=("ALL",))


def codes(source: str, settings: Settings | None = None) -> list[tuple[int, str]]:
    result = lint_source(source, "example.py", settings or Settings())
    return sorted((d.line, d.code) for d in result.diagnostics)


# --- torch.as_tensor of a tensor: the tensor itself, or a copy that keeps its graph -------
# transformers models/tapas/modeling_tapas.py (`torch.as_tensor(labels, dtype=..., device=...)`)
# and models/qwen2_5_omni (`torch.as_tensor(mask, dtype=dtype, device=device)`).

AS_TENSOR = """\
import torch


def make_mask(length, dtype=None):
    mask = torch.arange(8).expand(len(length), 8) < length.unsqueeze(1)
    return torch.as_tensor(mask, dtype=dtype, device=length.device)


w = torch.randn(3, requires_grad=True)
same = torch.as_tensor(w * 2)
same.sum().backward()
cast = torch.as_tensor(w * 2, dtype=torch.float64)
cast.sum().backward()
"""

TENSOR_OF_TENSOR = """\
import torch

w = torch.randn(3, requires_grad=True)
copy = torch.tensor(w * 2)
copy.sum().backward()
"""


def test_as_tensor_of_a_tensor_is_no_copy_and_no_cut():
    assert codes(AS_TENSOR, ALL) == []


def test_torch_tensor_of_a_tensor_is_still_a_copy_and_a_cut():
    assert codes(TENSOR_OF_TENSOR) == [(4, "AG005"), (5, "AG003")]


def test_torch_as_tensor_keeps_the_graph_and_does_not_warn():
    w = torch.randn(3, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        same = torch.as_tensor(w * 2)
        cast = torch.as_tensor(w * 2, dtype=torch.float64)
    assert same.grad_fn is not None and cast.grad_fn is not None
    (same.sum() + cast.sum()).backward()
    assert w.grad is not None and torch.equal(w.grad, torch.full((3,), 4.0))
    with pytest.warns(UserWarning, match="copy construct from a tensor"):
        copy = torch.tensor(w * 2)
    assert copy.grad_fn is None and not copy.requires_grad


# --- .data writes in forward() that initialise a layer the same forward builds -----------
# transformers models/udop/modeling_udop.py, RelativePositionBiasBase.forward: a bigger
# embedding is built and given the pretrained rows through `.data` (a one-time re-init).

LAYER_BUILT_IN_FORWARD = """\
import torch
from torch import nn


class Bias(nn.Module):
    def __init__(self):
        super().__init__()
        self.bias = nn.Embedding(4, 2)
        self.expand = True

    def forward(self, x):
        if self.expand:
            new_bias = nn.Embedding(6, 2)
            new_bias.weight.data[:4] = self.bias.weight.data
            new_bias.weight.data[4:] = 0.1
            self.bias = new_bias
            self.expand = False
        return self.bias(x)
"""

# The same write on a parameter made in __init__ runs on every forward: AG001 (c).
PARAMETER_OF_INIT_IN_FORWARD = """\
import torch
from torch import nn


class Constrained(nn.Linear):
    def forward(self, x):
        self.weight.data = torch.renorm(self.weight.data, p=2, dim=0, maxnorm=1.0)
        return super().forward(x)
"""

# A layer built in forward but given a value that carries a graph: the op is lost (AG001).
LAYER_BUILT_IN_FORWARD_GRAPH_VALUE = """\
import torch
from torch import nn


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.base = nn.Linear(2, 2)

    def forward(self, x):
        fresh = nn.Linear(2, 2)
        fresh.weight.data = self.base.weight * 2
        return fresh(x)
"""


def test_initialising_a_layer_built_in_forward_is_legacy_not_ag001():
    assert codes(LAYER_BUILT_IN_FORWARD) == []
    assert codes(LAYER_BUILT_IN_FORWARD, ALL) == [(14, "AG013"), (15, "AG013")]


def test_a_parameter_made_in_init_written_in_forward_is_still_ag001():
    assert codes(PARAMETER_OF_INIT_IN_FORWARD) == [(7, "AG001")]


def test_a_graph_value_written_into_a_fresh_layer_is_still_ag001():
    assert codes(LAYER_BUILT_IN_FORWARD_GRAPH_VALUE) == [(12, "AG001")]


def test_rows_copied_into_a_fresh_layer_through_data_give_the_same_gradient():
    torch.manual_seed(0)
    old = nn.Embedding(4, 2)
    index = torch.tensor([0, 3, 5])
    grads = []
    for through_data in (True, False):
        new = nn.Embedding(6, 2)
        if through_data:
            new.weight.data[:4] = old.weight.data
            new.weight.data[4:] = 0.1
        else:
            with torch.no_grad():
                new.weight[:4] = old.weight
                new.weight[4:] = 0.1
        (new(index) ** 2).sum().backward()
        assert new.weight.grad is not None
        grads.append(new.weight.grad)
    assert torch.equal(grads[0], grads[1])


# --- an attribute a forward hook rebinds ---------------------------------------------------
# utkuozbulak/pytorch-cnn-visualizations src/cnn_layer_visualization.py and deep_dream.py:
# `self.conv_output = 0` in __init__, a hook sets it to the layer's output, the loss is its
# mean. The hook runs inside the layer call, which the analysis does not see.

HOOKED = """\
import torch
from torch import nn


class Viz:
    def __init__(self, model):
        self.model = model
        self.out = 0

    def hook(self):
        def fn(module, inputs, output):
            self.out = output[0]

        self.model.register_forward_hook(fn)

    def run(self, x):
        self.hook()
        self.model(x)
        loss = -torch.mean(self.out)
        loss.backward()


viz = Viz(nn.Linear(3, 3))
viz.run(torch.randn(2, 3))
"""

HOOKED_GLOBAL = """\
import torch
from torch import nn

model = nn.Linear(3, 3)
out = None


def keep(module, inputs, output):
    global out
    out = output


model.register_forward_hook(keep)
model(torch.randn(2, 3))
torch.mean(out).backward()
"""

# The hook rebinds another attribute: the one the loss reads is still known to be cut.
HOOKED_OTHER_ATTRIBUTE = (
    HOOKED.replace("loss = -torch.mean(self.out)", "loss = -torch.mean(self.out.detach())")
    .replace("self.out = output[0]", "self.seen = output[0]")
    .replace("self.out = 0", "self.out = torch.zeros(3)\n        self.seen = None")
)


@pytest.mark.parametrize("source", [HOOKED, HOOKED_GLOBAL], ids=["attribute", "global"])
def test_what_a_hook_assigns_is_unknown_after_it_is_registered(source):
    assert codes(source, ALL) == []
    exec(compile(source, "example.py", "exec"), {})  # torch runs it: the backward is fine


def test_an_attribute_no_hook_assigns_keeps_its_facts():
    assert codes(HOOKED_OTHER_ATTRIBUTE) == [(21, "AG003")]
    with pytest.raises(RuntimeError, match="does not require grad"):
        exec(compile(HOOKED_OTHER_ATTRIBUTE, "example.py", "exec"), {})


RESCALE_AT_CONSTRUCTION = """\
import torch
import torch.nn as nn


def normed_linear(n, scale=1.0):
    out = nn.Linear(n, n)
    out.weight.data *= scale / out.weight.norm(dim=1, p=2, keepdim=True)
    return out


def train():
    w = torch.randn(3, requires_grad=True)
    for _ in range(3):
        loss = (w * 2).sum()
        loss.backward()
        w.data = w / w.norm()
"""


def test_a_rescale_of_a_layer_the_function_builds_is_construction_not_a_forward_step() -> None:
    """RL4T1D's NormedLinear: the value carries a graph, but no gradient has used the fresh
    weight yet (AG013's); the same write in a training loop leaves the op out (AG001)."""
    assert codes(RESCALE_AT_CONSTRUCTION, Settings(select=("ALL",))) == [
        (7, "AG013"),
        (16, "AG001"),
    ]
    layer = nn.Linear(3, 3)
    with torch.no_grad():
        expected = layer.weight * (0.5 / layer.weight.norm(dim=1, p=2, keepdim=True))
    layer.weight.data *= 0.5 / layer.weight.norm(dim=1, p=2, keepdim=True)
    assert torch.allclose(layer.weight, expected)
    layer(torch.randn(2, 3)).sum().backward()
    assert layer.weight.grad is not None and layer.weight.grad_fn is None


# --- a parameter-free module around a custom autograd Function -----------------------------
# detectron2 projects/TensorMask (`SwapAlign2Nat`: a module with no parameters whose forward
# is `_SwapAlign2Nat.apply`, a compiled kernel): its output requires grad only if its input does.

CUSTOM_FUNCTION_MODULE = """\
import numpy as np
import torch
from torch import nn


class _SwapAlign(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X, lambda_val):
        ctx.lambda_val = lambda_val
        return X.flip(-1) * lambda_val

    @staticmethod
    def backward(ctx, gY):
        return gY.flip(-1) * ctx.lambda_val, None


swap_align = _SwapAlign.apply


class SwapAlign(nn.Module):
    def __init__(self, lambda_val):
        super().__init__()
        self.lambda_val = lambda_val

    def forward(self, X):
        return swap_align(X, self.lambda_val)


swap = SwapAlign(2)
reference = swap.forward(torch.from_numpy(np.ones((2, 3), dtype="float32"))).cpu().numpy()
"""

CUSTOM_FUNCTION_MODULE_ON_A_LEAF = (
    CUSTOM_FUNCTION_MODULE + "traced = swap(torch.ones(2, 3, requires_grad=True)).numpy()\n"
)

WEIGHTED_CUSTOM_FUNCTION_MODULE = CUSTOM_FUNCTION_MODULE.replace(
    "        self.lambda_val = lambda_val\n",
    "        self.lambda_val = lambda_val\n        self.proj = nn.Linear(3, 3)\n",
).replace(
    "return swap_align(X, self.lambda_val)", "return swap_align(self.proj(X), self.lambda_val)"
)


def test_a_parameter_free_module_around_a_function_follows_its_input() -> None:
    assert codes(CUSTOM_FUNCTION_MODULE, ALL) == []
    last = len(CUSTOM_FUNCTION_MODULE_ON_A_LEAF.splitlines())
    assert codes(CUSTOM_FUNCTION_MODULE_ON_A_LEAF, ALL) == [(last, "AG011")]
    last = len(WEIGHTED_CUSTOM_FUNCTION_MODULE.splitlines())
    assert codes(WEIGHTED_CUSTOM_FUNCTION_MODULE, ALL) == [(last, "AG011")]


def test_a_custom_function_output_requires_grad_as_its_inputs_do() -> None:
    namespace: dict[str, object] = {}
    exec(CUSTOM_FUNCTION_MODULE, namespace)  # the .numpy() runs
    with pytest.raises(RuntimeError, match="Can't call numpy"):
        exec(CUSTOM_FUNCTION_MODULE_ON_A_LEAF, {})
    with pytest.raises(RuntimeError, match="Can't call numpy"):
        exec(WEIGHTED_CUSTOM_FUNCTION_MODULE, {})
