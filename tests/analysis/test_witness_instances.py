"""Witnesses name each instance's attributes apart, read an instance's attribute from
outside under the name its methods bound it to, and bind the settings the file gives
(a literal list of sizes, a device, a dtype) as the file does."""

from __future__ import annotations

import pytest

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]

TWO_BLOCKS = """import torch
import torch.nn as nn


class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.activ = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.conv(x)
        return self.activ(x)


class Unit(nn.Module):
    def __init__(self):
        super().__init__()
        self.activ = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(8, 4, 1)

    def forward(self, x):
        x = self.activ(x)
        return self.conv(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = Stem()
        self.unit = Unit()

    def forward(self, x):
        x = self.stem(x)
        return self.unit(x)


model = Net()
out = model(torch.randn(2, 3, 8, 8))
out.sum().backward()
"""
DISTINCT_ATTRIBUTES = TWO_BLOCKS.replace(
    "        self.activ = nn.ReLU(inplace=True)\n        self.conv = nn.Conv2d(8, 4, 1)",
    "        self.pre = nn.ReLU(inplace=True)\n        self.proj = nn.Conv2d(8, 4, 1)",
).replace(
    "x = self.activ(x)\n        return self.conv(x)", "x = self.pre(x)\n        return self.proj(x)"
)
SETTINGS_AND_OUTSIDE_READ = """import torch
from torch import nn


class Kernel(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.weight = nn.Parameter(torch.Tensor(channels, 3))

    def forward(self, x):
        return x @ self.weight


device = torch.device("cpu")
dtype = torch.float32
sizes = [2, 3]
W = torch.randn(sum(sizes), 3).to(device, dtype)
kernel = Kernel(sum(sizes)).to(device, dtype)
kernel.weight[:, :] = W[:, :]
conv = nn.Linear(3, sum(sizes)).to(device, dtype)
conv.weight[:, :] = W[:, :]
"""


def _witnesses(source: str, code: str) -> list:
    result = lint_source(source, "t.py", Settings(select=(code,)), witnesses=True)
    found = [d for d in result.diagnostics if d.code == code]
    assert found and all(d.witness is not None for d in found)
    return [d.witness for d in found]


def test_two_instances_naming_an_attribute_alike_get_names_of_their_own() -> None:
    (witness,) = _witnesses(TWO_BLOCKS, "AG002")
    script = witness.script
    assert "self_conv = nn.Conv2d(3, 8, 3, padding=1)" in script
    assert "unit_conv = nn.Conv2d(8, 4, 1)" in script  # the second block's own layer
    assert "x = unit_activ(x)" in script and "returned_" in script


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_two_block_witness_is_confirmed(backend: str) -> None:
    witnesses = _witnesses(TWO_BLOCKS, "AG002")
    (verdict,) = confirm_many(witnesses, backend=backend)
    assert verdict.status == "confirmed", verdict


def test_instances_whose_attributes_differ_keep_the_self_names() -> None:
    (witness,) = _witnesses(DISTINCT_ATTRIBUTES, "AG002")
    script = witness.script
    assert "self_proj = nn.Conv2d(8, 4, 1)" in script
    assert "unit_" not in script and "stem_" not in script


def test_an_attribute_read_from_outside_is_the_name_its_methods_bound() -> None:
    witnesses = _witnesses(SETTINGS_AND_OUTSIDE_READ, "AG007")
    outside = next(w.script for w in witnesses if "self_weight[:, :] = W[:, :]" in w.script)
    assert "kernel.weight" not in outside
    assert "self_weight = torch.randn(5, 3, requires_grad=True)" in outside  # W's shape


def test_the_settings_the_file_gives_are_bound_as_it_gives_them() -> None:
    witnesses = _witnesses(SETTINGS_AND_OUTSIDE_READ, "AG007")
    layer = next(w.script for w in witnesses if "conv.weight[:, :]" in w.script)
    assert 'device = torch.device("cpu")' in layer
    assert "dtype = torch.float32" in layer
    assert "sizes = [2, 3]" in layer
    assert "stand-in" not in layer


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_outside_read_and_settings_witnesses_are_confirmed(backend: str) -> None:
    witnesses = _witnesses(SETTINGS_AND_OUTSIDE_READ, "AG007")
    verdicts = confirm_many(witnesses, backend=backend)
    assert [v.status for v in verdicts] == ["confirmed"] * len(witnesses), verdicts


def test_a_device_read_off_a_settings_object_stands_in_as_a_device() -> None:
    from autograd_lint.analysis.witness_stand_ins import device_attributes

    lines = ["x = torch.tensor(data, device=env.DEVICE)", "y = torch.zeros(2, device=env.DEVICE)"]
    assert device_attributes(lines, {"env", "data"}) == [
        "x = torch.tensor(data, device=env_DEVICE)",
        "y = torch.zeros(2, device=env_DEVICE)",
    ]
    read_otherwise = [*lines, "z = env.scale * 2"]  # the object is more than its device
    assert device_attributes(read_otherwise, {"env", "data"}) == read_otherwise
    bound = ["x = torch.tensor(data, device=cfg.DEVICE)"]  # ``cfg`` is not a free name
    assert device_attributes(bound, {"data"}) == bound


NESTED_BLOCKS = """import torch
import torch.nn as nn


class Output(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.dense = nn.Linear(width, width)


class Layer(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.output = Output(width)


class Encoder(nn.Module):
    def __init__(self, n, width):
        super().__init__()
        self.layer = nn.ModuleList([Layer(width) for _ in range(n)])
        self.embeddings = nn.Module()
        self.embeddings.table = nn.Embedding(10, width)


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = Encoder(2, 4)


model = Model()


def edit(bag):
    emb = model.encoder.embeddings.table.weight[3]
    for layer, pos in bag:
        model.encoder.layer[layer].output.dense.weight[:, pos] -= emb
"""
CONSTANT_CHILD = NESTED_BLOCKS.replace(
    "    for layer, pos in bag:\n        model.encoder.layer[layer].output.dense",
    "    for pos in bag:\n        model.encoder.layer[1].output.dense",
)


def test_an_attribute_reached_through_a_chain_of_blocks_is_the_name_its_block_bound() -> None:
    for source, call in (
        (NESTED_BLOCKS, "edit([(0, 1), (1, 2)])\n"),
        (CONSTANT_CHILD, "edit([1, 2])\n"),
    ):
        (witness,) = _witnesses(source + call, "AG007")
        script = witness.script
        assert "self_dense.weight[:, pos] -= emb" in script
        assert "self_dense = nn.Linear(" in script
        assert ".output" not in script and ".layer" not in script
        # a layer hung on a plain ``nn.Module()`` from outside: a stand-in for what it gave
        assert "table" not in script and "emb = torch.randn(" in script


def test_a_chain_through_a_list_of_unlike_blocks_is_left_as_written() -> None:
    import libcst as cst

    from autograd_lint.analysis.interpreter import analyze
    from autograd_lint.analysis.witness_instances import InstanceNames

    unlike = NESTED_BLOCKS.replace(
        "nn.ModuleList([Layer(width) for _ in range(n)])",
        "nn.ModuleList([Layer(width), Layer(width)])",
    )
    source = unlike + "edit([(0, 1), (1, 2)])\n"
    trace = analyze(source)
    names = InstanceNames(trace)
    statement = cst.parse_statement(
        "model.encoder.layer[layer].output.dense.weight[:, pos] -= emb\n"
    )
    last = max(trace.statements)
    # which of the two blocks ``layer`` picks is unknown: only the list itself is named
    assert names.chain_reads(statement, last) == {"model.encoder.layer": "self_layer"}
    picked = cst.parse_statement("model.encoder.layer[0].output.dense.weight[:, 1] -= emb\n")
    reads = names.chain_reads(picked, last)
    assert reads["model.encoder.layer[0].output.dense"] == "self_dense"
    assert "model.encoder.layer[2].output" not in names.chain_reads(
        cst.parse_statement("model.encoder.layer[2].output.dense.weight[:, 1] -= emb\n"), last
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_chain_witness_is_confirmed(backend: str) -> None:
    witnesses = _witnesses(NESTED_BLOCKS + "edit([(0, 1), (1, 2)])\n", "AG007")
    verdicts = confirm_many(witnesses, backend=backend)
    assert [v.status for v in verdicts] == ["confirmed"], verdicts


CONSTANT_ARGUMENT = """import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.emb = nn.Embedding(n, 4)


ntokens = 10
model = Net(ntokens)
ids = torch.randint(0, ntokens, (3,))
out = model.emb(ids)
model.emb.weight.mul_(2.0)
"""


def test_a_parameter_given_a_name_bound_to_a_number_gets_that_number() -> None:
    (witness,) = _witnesses(CONSTANT_ARGUMENT, "AG007")
    assert "n = 10" in witness.script  # not a stand-in count of 2: ``ids`` reach 9
    (verdict,) = confirm_many([witness], backend="mini")
    assert verdict.status == "confirmed", verdict
