"""Rendering a slice through nested calls: ``f(g(x))`` with both followed, and
``f(layer(x))`` with the argument computed inline."""

from __future__ import annotations

import pytest

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]
NESTED = """import torch
import torch.nn as nn
import torch.nn.functional as F


class Normalizer(nn.Module):
    @torch.no_grad()
    def forward(self, embeds):
        unit = F.normalize(embeds, dim=-1)
        return unit


def distance_loss(embeddings):
    losses = (embeddings[0::2] - embeddings[1::2]).pow(2).sum(1)
    mean_losses = losses.mean()
    mean_losses.requires_grad = True
    return mean_losses


encoder = nn.Linear(10, 6)
norm = Normalizer()
audio = torch.randn(4, 10)
loss = distance_loss(norm(encoder(audio)))
loss.backward()
"""
HANDED_IN = """import torch


def freeze(variable):
    return variable.requires_grad_(False)


x = torch.randn(4, 3, requires_grad=True)
hidden = torch.tanh(x * 2.0)
frozen = freeze(hidden)
"""


def _witness(source: str, code: str):
    result = lint_source(source, "t.py", Settings(select=(code,)), witnesses=True)
    (finding,) = [d for d in result.diagnostics if d.code == code]
    assert finding.witness is not None
    return finding.witness


def test_the_arguments_of_nested_calls_are_what_the_statement_computed() -> None:
    script = _witness(NESTED, "AG008").script
    assert "embeds = encoder(audio)" in script  # the inline argument, as written
    assert "embeddings = unit" in script  # bound by the inner call's body, after it ran
    assert "stand-in" not in script
    assert script.index("unit = F.normalize") < script.index("embeddings = unit")


def test_an_argument_bound_before_the_call_keeps_its_name() -> None:
    script = _witness(HANDED_IN, "AG008").script
    assert "variable = hidden" in script
    assert "stand-in" not in script


@pytest.mark.parametrize(("source", "code"), [(NESTED, "AG008"), (HANDED_IN, "AG008")])
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_nested_call_witnesses_are_confirmed(source: str, code: str, backend: str) -> None:
    (verdict,) = confirm_many([_witness(source, code)], backend=backend)
    assert verdict.status == "confirmed", verdict


REWRAPPED_LOSS = """import torch
import torch.nn as nn
from torch.autograd import Variable

layer = nn.Linear(8, 2)
x = torch.randn(4, 8)
out = layer(x).data
loss = Variable(out.sum(), requires_grad=True)
loss.backward()
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_loss_rewrapped_in_variable_leaves_the_layer_without_gradient(backend: str) -> None:
    witness = _witness(REWRAPPED_LOSS, "AG008")
    assert ".requires_grad_()" in witness.script and "Variable(" not in witness.script
    assert witness.expectation.observe == "layer.weight.grad is None"
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "confirmed", verdict


NESTED_RETURN = """import torch
import torch.nn as nn


class First(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.activ = nn.ReLU(inplace=True)

    def forward(self, x):
        return self.activ(self.conv(x))


class Second(nn.Module):
    def __init__(self):
        super().__init__()
        self.act2 = nn.ReLU(inplace=True)
        self.proj = nn.Conv2d(8, 4, 1)

    def forward(self, x):
        x = self.act2(x)
        return self.proj(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = First()
        self.second = Second()

    def forward(self, x):
        x = self.first(x)
        return self.second(x)


net = Net()
out = net(torch.randn(2, 3, 8, 8))
out.mean().backward()
"""


def test_a_call_returned_from_a_followed_call_comes_before_its_use() -> None:
    """``return self.second(x)`` ends two calls: the statement that called the outer one is
    rendered after the inner one's body, not between them."""
    script = _witness(NESTED_RETURN, "AG002").script
    lines = script.splitlines()
    inner = next(
        i for i, line in enumerate(lines) if line.startswith("returned_") and "self_proj(x)" in line
    )
    outer = next(i for i, line in enumerate(lines) if line.startswith("out = "))
    assert inner < outer
    assert "stand-in" not in script


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_nested_return_witness_is_confirmed(backend: str) -> None:
    (verdict,) = confirm_many([_witness(NESTED_RETURN, "AG002")], backend=backend)
    assert verdict.status == "confirmed", verdict


TWO_CALLS_ONE_STATEMENT = """\
import torch
import torch.nn as nn


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Linear(4, 1)

    def forward(self, x):
        return self.net(x).mean()


G = nn.Linear(8, 4)
D = Critic()
fake = G(torch.randn(6, 8))
loss_d = D(fake) - D(torch.randn(6, 4))
loss_d.backward()
loss_g = -D(fake)
loss_g.backward()
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_two_calls_binding_one_parameter_in_a_statement_bind_it_per_call(backend: str) -> None:
    """``D(fake) - D(real)`` binds ``x`` twice in one statement: a script with one of the
    bindings would replay another program (and say "not reproduced" of a true finding), so
    each run of the one-``return`` body is preceded by its own call's argument."""
    from autograd_lint.lint import lint_source

    (finding,) = [
        d
        for d in lint_source(TWO_CALLS_ONE_STATEMENT, witnesses=True).diagnostics
        if d.code == "AG004"
    ]
    assert finding.witness is not None
    lines = finding.witness.script.splitlines()
    fake, real = lines.index("x = fake"), lines.index("x = torch.randn(6, 4)")
    assert fake < real and lines[fake + 1].endswith("= self_net(x).mean()")
    assert lines[real + 1].endswith("= self_net(x).mean()")
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict
    single = TWO_CALLS_ONE_STATEMENT.replace(
        "loss_d = D(fake) - D(torch.randn(6, 4))", "loss_d = D(fake)"
    )
    (finding,) = [d for d in lint_source(single, witnesses=True).diagnostics if d.code == "AG004"]
    assert finding.witness is not None


TWO_HEADS = """import torch
import torch.nn as nn


class Two(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 2)
        self.b = nn.Linear(4, 1)

    def forward(self, x):
        return self.a(x), self.b(x)


def first(pair):
    head = pair[0].detach()
    return head


model = Two()
outs = model(torch.randn(3, 4))
loss = outs[0].sum()
loss.backward()
loss.backward()
first(outs).sum().backward()
"""


def test_a_layer_called_beside_the_slice_and_a_helpers_return_are_written() -> None:
    """``return self.a(x), self.b(x)`` with the slice through ``a`` only: ``b`` is built
    too; ``first(outs).sum()`` whose body the slice runs: the call is its ``return``."""
    result = lint_source(TWO_HEADS, "t.py", Settings(select=("AG003", "AG004")), witnesses=True)
    scripts = {d.code: d.witness.script for d in result.diagnostics if d.witness is not None}
    assert set(scripts) == {"AG003", "AG004"}
    assert "self_b = nn.Linear(4, 1)" in scripts["AG004"]
    assert "returned_17.sum().backward()" in scripts["AG003"]
    assert "first(" not in scripts["AG003"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_two_heads_witnesses_are_confirmed(backend: str) -> None:
    result = lint_source(TWO_HEADS, "t.py", Settings(select=("AG003", "AG004")), witnesses=True)
    witnesses = [d.witness for d in result.diagnostics if d.witness is not None]
    verdicts = confirm_many(witnesses, backend=backend)
    assert [v.status for v in verdicts] == ["confirmed", "confirmed"], verdicts


LOOP_TARGETS = """import torch
import torch.nn as nn


def train(data):
    for i, (inputs, labels) in enumerate(data):
        scores = layer(inputs.detach())
        loss = nn.functional.cross_entropy(scores, labels)
        loss.backward()
        loss.backward()


layer = nn.Linear(4, 2)
data = [(torch.randn(3, 4), torch.randint(0, 2, (3,)))]
train(data)
"""


def test_a_name_the_slice_never_binds_is_made_as_the_file_made_its_tensor() -> None:
    result = lint_source(LOOP_TARGETS, "t.py", Settings(select=("AG004",)), witnesses=True)
    (finding,) = result.diagnostics
    assert finding.witness is not None
    script = finding.witness.script
    assert "inputs = torch.randn(3, 4)" in script
    assert "labels = torch.randint(0, 2, (3,))" in script
    assert "stand-in" not in script
    (verdict,) = confirm_many([finding.witness], backend="mini")
    assert verdict.status == "confirmed", verdict


LAYER_ARGUMENTS = """import torch
import torch.nn as nn


class LossCompute(nn.Module):
    def __init__(self, generator):
        super().__init__()
        self.generator = generator

    def forward(self, output):
        scores = torch.tanh(self.generator(output))
        return scores.sum()


compute = LossCompute(nn.Linear(8, 11))
hidden = torch.randn(3, 8)
loss = compute(hidden)
loss.backward()
loss.backward()
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_layer_built_as_a_call_argument_is_the_layer_the_call_received(backend: str) -> None:
    result = lint_source(LAYER_ARGUMENTS, "t.py", Settings(select=("AG004",)), witnesses=True)
    (finding,) = result.diagnostics
    assert finding.witness is not None
    assert "generator = nn.Linear(8, 11)" in finding.witness.script
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


GENERATE_LOOP = """import torch
import torch.nn as nn


class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(4, 4)

    def forward(self, x):
        return self.head(x)


model = Tiny()
x = torch.randn(2, 4)
outs = []
with torch.no_grad():
    for step in range(2):
        y = model(x)[:, :2]
        outs.append(y)
        x = torch.cat([y, y], dim=1)
loss = torch.stack(outs).sum()
loss.backward()
"""


def test_each_run_of_a_call_in_a_loop_reads_its_own_return() -> None:
    result = lint_source(GENERATE_LOOP, "t.py", Settings(select=("AG003",)), witnesses=True)
    (finding,) = result.diagnostics
    assert finding.witness is not None
    script = finding.witness.script
    lines = script.splitlines()
    returns = [
        line.split(" = ")[0].strip() for line in lines if "returned_" in line.split(" = ")[0]
    ]
    assert len(returns) == 2
    for name in returns:  # each read right after its own return, never a later one's
        made = next(i for i, line in enumerate(lines) if line.strip().startswith(name + " = "))
        assert lines[made + 1].strip() == f"y = {name}[:, :2]"
    (verdict,) = confirm_many([finding.witness], backend="mini")
    assert verdict.status == "confirmed", verdict


def _witnesses(source: str, code: str) -> list[object]:
    result = lint_source(source, "t.py", Settings(), witnesses=True)
    return [d.witness for d in result.diagnostics if d.code == code]


MODULE_READ = """import math
import torch
import torch.nn as nn


def init(m, prior):
    b = m.bias.view(2, -1)
    b[:, 1:] += math.log(prior)


init(nn.Conv2d(3, 6, 1), 0.01)
"""


def test_no_tensor_stands_in_for_an_imported_module() -> None:
    """``math.log(...)`` read where the slice cannot bind ``math``: a tensor named ``math``
    would make a script that fails on its own, so there is no witness."""
    witnesses = _witnesses(MODULE_READ, "AG007")
    assert witnesses
    for witness in witnesses:
        assert witness is None or "math = torch" not in witness.script  # type: ignore[attr-defined]


def test_a_local_name_like_a_module_still_gets_its_stand_in() -> None:
    """The look-alike: a name the file binds itself (``random = torch.randn(...)``) is the
    file's value, not a module."""
    source = (
        "import torch\n\nrandom = torch.randn(3, requires_grad=True)\n"
        "w = random\nwith torch.no_grad():\n    pass\nw.add_(1.0)\n"
    )
    witnesses = _witnesses(source, "AG007")
    assert witnesses and all(witness is not None for witness in witnesses)


GENERATOR_BATCHES = """import torch


class Loader:
    def __init__(self, X, Y):
        self.X, self.Y = X, Y

    def __iter__(self):
        for i in range(0, 4, 2):
            yield self.X[i:i + 2], self.Y[i:i + 2]


w = torch.randn(3, 1, requires_grad=True)
X = torch.randn(4, 3)
Y = X @ w
for x, y in Loader(X, Y):
    loss = ((x @ w - y) ** 2).sum()
    loss.backward()
"""


def test_a_generators_yield_is_never_a_line_of_a_witness() -> None:
    """The batches a ``for`` takes from a generator: the ``yield`` is the generator's, and
    a script holding it would be refused (or be a generator itself)."""
    result = lint_source(GENERATOR_BATCHES, "t.py", Settings(), witnesses=True)
    assert result.diagnostics
    for finding in result.diagnostics:
        assert finding.witness is None or "yield" not in finding.witness.script
