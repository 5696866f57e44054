"""AG001 on ``.data`` writes that only matter when a gradient uses them (``rules._write_use``).

Two forms seen in real code bases, each next to the look-alike that must still be found, and
the torch behaviour each verdict rests on:

* fairseq ``examples/textless_nlp/gslm/unit2speech/tacotron2/model.py`` (``parse_output``:
  ``outputs[1].data.masked_fill_(mask, 0.0)`` on a returned output) and allennlp
  ``modules/highway.py`` (``layer.bias[input_dim:].data.fill_(1)`` at construction): a
  constant fill of a graph non-leaf that no backward seen goes through.
* litgpt ``tests/generate/test_tp.py`` (a layer built by ``get_linear()`` and resharded
  through ``.data`` by ``tensor_parallel_linear`` in another function): construction that
  crosses functions.
"""

from __future__ import annotations

import torch
from torch import nn

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

ALL = Settings(select=("ALL",))


def codes(source: str, settings: Settings | None = None) -> list[tuple[int, str]]:
    result = lint_source(source, "example.py", settings or Settings())
    return sorted((d.line, d.code) for d in result.diagnostics)


def ag001(source: str) -> list[int]:
    return [line for line, code in codes(source) if code == "AG001"]


# --- constant fills of a graph non-leaf -----------------------------------------------------

FILL_OF_A_RETURNED_OUTPUT = """\
import torch
from torch import nn


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 4)
        self.fc.bias[2:].data.fill_(1.0)

    def forward(self, x, mask):
        outputs = [self.fc(x), self.fc(x) * 2]
        outputs[1].data.masked_fill_(mask, 0.0)
        return outputs
"""

FILL_THEN_BACKWARD = """\
import torch

x = torch.randn(3, requires_grad=True)
y = x * 2
y.data.masked_fill_(y > 0, 0.0)
y.sum().backward()
w = x * 4
w.data[0] = 5.0
w.sum().backward()
"""

SCALE_THEN_NOTHING = """\
import torch

x = torch.randn(3, requires_grad=True)
y = x * 2
y.data[0] = y.data[0] * 4
"""


def test_a_fill_no_backward_goes_through_is_not_ag001():
    assert ag001(FILL_OF_A_RETURNED_OUTPUT) == []
    # still a `.data` write, reported where asked, with no rewrite (under no_grad a backward
    # through an op that saved its output would raise)
    result = lint_source(FILL_OF_A_RETURNED_OUTPUT, "example.py", ALL)
    legacy = [d for d in result.diagnostics if d.code == "AG013"]
    assert [d.line for d in legacy] == [9, 13]
    assert all(not d.fixes for d in legacy)


RANDOM_INIT_OF_A_SLICE = """\
import math

import torch
from torch.nn import Parameter


def glorot(value):
    stdv = math.sqrt(6.0 / (value.size(-2) + value.size(-1)))
    value.data.uniform_(-stdv, stdv)


class RGCN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = Parameter(torch.empty(4, 3, 3))
        glorot(self.weight[:-1])
        glorot(self.weight[-1])
"""

RANDOM_FILL_THEN_BACKWARD = """\
import torch

x = torch.randn(3, requires_grad=True)
y = x * 2
y.data.uniform_(-1, 1)
y.sum().backward()
"""


def test_a_random_init_of_a_parameter_slice_is_not_ag001():
    # torch_geometric nn/conv/cugraph/rgcn_conv.py: `glorot(self.weight[:end])`
    assert ag001(RANDOM_INIT_OF_A_SLICE) == []


def test_a_random_fill_a_backward_goes_through_is_still_ag001():
    assert ag001(RANDOM_FILL_THEN_BACKWARD) == [5]
    x = torch.randn(3, requires_grad=True)
    y = x * 2
    y.data.uniform_(-1, 1)
    y.sum().backward()
    assert x.grad is not None and torch.equal(x.grad, torch.full((3,), 2.0))  # as if not filled


def test_a_fill_a_backward_goes_through_is_still_ag001():
    assert ag001(FILL_THEN_BACKWARD) == [5, 8]


def test_a_write_computed_from_the_target_needs_no_backward_seen():
    assert ag001(SCALE_THEN_NOTHING) == [5]


def test_a_fill_through_data_differs_only_where_the_consumer_passes_a_gradient():
    x = torch.randn(2, 6, requires_grad=True)
    mask = torch.tensor([[False, False, False, False, True, True]] * 2)

    def grads(data_write: bool, loss_of):
        x.grad = None
        y = x * 3
        if data_write:
            y.data.masked_fill_(mask, 0.0)
        else:
            y = y.masked_fill(mask, 0.0)
        loss_of(y).backward()
        assert x.grad is not None
        return x.grad.clone()

    # a consumer that passes a gradient at the filled positions: the `.data` write is wrong
    def summed(y):
        return (y * torch.arange(6.0)).sum()

    wrong, right = grads(True, summed), grads(False, summed)
    assert torch.equal(wrong[~mask], right[~mask])
    assert not torch.equal(wrong[mask], right[mask])
    # one that passes none there (MSE to zero-padded targets, as tacotron2 trains): the same
    target = torch.randn(2, 6).masked_fill(mask, 0.0)

    def mse(y):
        return ((y - target) ** 2).sum()

    assert torch.equal(grads(True, mse), grads(False, mse))


# --- a layer built by one function and written by another -----------------------------------

RESHARD = """\
import torch
{imports}

def reshard(linear, n, rank):
    shard = torch.tensor_split(linear.weight, n, dim=0)[rank]
    linear.weight.data = shard


def test():
    def get_linear(bias=True):
        linear = torch.nn.Linear(8, 8, bias=bias)
        linear.weight.data = torch.arange(64, dtype=torch.float32).reshape(8, 8)
        if bias:
            linear.bias.data = torch.arange(8, dtype=torch.float32)
        return linear

    linear = get_linear()
    size = getattr(linear, "out_features")
{between}    reshard(linear, 4, 2)
"""


def reshard(between: str = "", imports: str = "") -> str:
    return RESHARD.format(between=between, imports=imports)


def test_a_layer_resharded_right_after_another_function_built_it_is_construction():
    assert ag001(reshard()) == []
    assert (6, "AG013") in codes(reshard(), ALL)


def test_a_layer_a_backward_used_before_the_write_is_still_ag001():
    between = "    loss = linear(torch.randn(2, 8)).sum()\n    loss.backward()\n"
    assert ag001(reshard(between)) == [6]


def test_a_layer_called_before_the_write_is_still_ag001():
    assert ag001(reshard("    linear(torch.randn(2, 8))\n")) == [6]


def test_a_layer_handed_to_code_not_followed_is_still_ag001():
    source = reshard("    train(linear)\n", imports="from elsewhere import train\n")
    assert ag001(source) == [7]  # the import moves the write one line down


def test_a_value_computed_by_running_the_layer_is_still_ag001():
    between = "    scale = linear(torch.randn(2, 8)).mean()\n"
    source = reshard(between).replace(
        "    reshard(linear, 4, 2)", "    linear.weight.data = linear.weight * scale"
    )
    assert ag001(source) == [20]


def test_a_layer_run_inside_a_statement_that_also_calls_a_followed_function_is_still_ag001():
    helper = "\n\ndef describe(t):\n    return t.shape\n"
    source = reshard("    describe(linear(torch.randn(2, 8)))\n", imports=helper)
    assert ag001(source) == [10]  # the helper moves the write four lines down


def test_a_rescale_repeated_in_the_callee_is_still_ag001():
    source = """\
import torch


def shrink(linear):
    for _ in range(3):
        linear.weight.data = linear.weight / 2


def build():
    linear = torch.nn.Linear(8, 8)
    shrink(linear)
    return linear
"""
    assert ag001(source) == [6]


def test_resharding_a_fresh_layer_through_data_gives_the_shard_as_a_plain_leaf():
    linear = nn.Linear(8, 8)
    linear.weight.data = torch.arange(64, dtype=torch.float32).reshape(8, 8)
    shard = torch.tensor_split(linear.weight, 4, dim=0)[2]
    assert shard.grad_fn is not None  # the value carries a graph, which `.data` drops
    linear.weight.data = shard
    assert linear.weight.is_leaf and linear.weight.grad_fn is None
    assert isinstance(linear.weight, nn.Parameter) and linear.weight.requires_grad
    assert torch.equal(linear.weight, torch.arange(32, 48, dtype=torch.float32).reshape(2, 8))


def test_a_rescale_of_a_fresh_layer_through_data_gives_the_gradient_of_a_fresh_parameter():
    linear = nn.Linear(8, 8)
    linear.weight.data = linear.weight / linear.weight.norm(dim=1, keepdim=True)
    rebuilt = nn.Parameter(linear.weight.detach().clone())
    x = torch.randn(3, 8)
    (x @ linear.weight.t()).sum().backward()
    (x @ rebuilt.t()).sum().backward()
    assert linear.weight.grad is not None and rebuilt.grad is not None
    assert torch.equal(linear.weight.grad, rebuilt.grad)
