"""Witnesses through a followed call's returned tuple and a loop over it: ``logits, reg =
outputs`` unpacked as written, ``loss_item = loss[k]`` bound for the k-th pass of ``for
loss_item in loss``, and a ``forward``'s own ``outputs = []`` at each of its calls."""

from __future__ import annotations

import pytest

from autograd_lint.analysis.interpreter import analyze
from autograd_lint.analysis.witness_extent import binding_seqs
from autograd_lint.analysis.witness_loop_items import loop_item
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]

TWO_LOSSES = """import torch
import torch.nn as nn
import torch.nn.functional as F


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(6, 6)
        self.head_a = nn.Linear(6, 4)
        self.head_b = nn.Linear(6, 1)

    def forward(self, x):
        h = torch.tanh(self.body(x))
        return self.head_a(h), self.head_b(h)

    def losses(self, outputs, target, value):
        scores, guess = outputs
        return (F.cross_entropy(scores, target), F.mse_loss(guess, value))


def train_step(model, x, target, value):
    outputs = model(x)
    loss = model.losses(outputs, target, value)
    for loss_item in loss:
        loss_item.backward()


model = TwoHeads()
train_step(model, torch.randn(5, 6), torch.randint(0, 4, (5,)), torch.randn(5, 1))
"""

CARRIED = """import torch
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.cell = nn.Linear(8, 8)

    def forward(self, x, h):
        outputs = []
        h = torch.tanh(self.cell(x) + h)
        outputs.append(h)
        h = torch.tanh(self.cell(x) + h)
        outputs.append(h)
        return torch.stack(outputs), h


decoder = Decoder()
h = torch.zeros(2, 8)
x = torch.randn(2, 8)
for step in range(3):
    outputs, h = decoder(x, h)
    loss = outputs.pow(2).mean()
    loss.backward()
"""


def _ag004(source: str):
    result = lint_source(source, "t.py", Settings(select=("AG004",)), witnesses=True)
    return [d for d in result.diagnostics if d.code == "AG004"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_tuple_of_losses_is_unpacked_and_looped_over_as_written(backend: str) -> None:
    (finding,) = _ag004(TWO_LOSSES)
    assert finding.witness is not None
    lines = finding.witness.script.splitlines()
    assert "stand-in" not in finding.witness.script
    assert "scores, guess = outputs" in lines
    first = next(i for i, line in enumerate(lines) if line.startswith("loss_item = "))
    assert lines[first].endswith("[0]") and lines[first + 1] == "loss_item.backward()"
    assert lines[first + 2].endswith("[1]") and lines[first + 3] == "loss_item.backward()"
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


def test_losses_of_separate_forwards_are_no_finding() -> None:
    source = TWO_LOSSES.replace(
        "        loss_item.backward()\n",
        "        loss_item.backward()\n        loss = model.losses(model(x), target, value)\n",
    ).replace(
        "    for loss_item in loss:\n",
        "    for k in range(2):\n        loss_item = loss[k]\n",
    )
    assert _ag004(source) == []


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_call_of_a_forward_starts_its_own_list(backend: str) -> None:
    (finding,) = _ag004(CARRIED)
    assert finding.witness is not None
    lines = finding.witness.script.splitlines()
    assert "stand-in" not in finding.witness.script
    assert lines.count("outputs = []") == 2
    assert lines.index("outputs = []") > lines.index("x = torch.randn(2, 8)")
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


def test_a_detached_carry_is_no_finding() -> None:
    assert (
        _ag004(
            CARRIED.replace("    loss.backward()\n", "    loss.backward()\n    h = h.detach()\n")
        )
        == []
    )


LOOP = """import torch
a = torch.randn(3, requires_grad=True)
pair = (a.sum(), (a * 2).sum())
for t in pair:
    t.backward(retain_graph=True)
"""


def test_each_pass_over_a_tuple_of_distinct_items_is_numbered() -> None:
    trace = analyze(LOOP)
    runs = [
        s for s, (node, _) in sorted(trace.statements.items()) if "backward" in trace.code_of(node)
    ]
    found = [loop_item(trace, seq) for seq in runs]
    assert [(f[1], f[2]) for f in found if f is not None] == [(0, "t"), (1, "t")]


def test_a_loop_over_chunks_known_only_by_a_representative_gets_no_binding() -> None:
    """``a.split(1)``: one chunk stands for all of them, so which pass had which is not
    known."""
    source = LOOP.replace("for t in pair:", "items = a.split(1)\nfor t in items:")
    trace = analyze(source)
    runs = [
        s for s, (node, _) in sorted(trace.statements.items()) if "backward" in trace.code_of(node)
    ]
    assert runs
    assert all(loop_item(trace, seq) is None for seq in runs)


UNPACK = """import torch
pair = (torch.randn(2), torch.randn(2))
first, second = pair
left, right = torch.chunk(torch.randn(4), 2)
total = first + second + left + right
"""


def test_unpacking_a_name_is_added_and_unpacking_a_call_is_not() -> None:
    trace = analyze(UNPACK)
    seqs = {seq for seq, (node, _) in trace.statements.items() if "total" in trace.code_of(node)}
    codes = {
        trace.code_of(trace.statements[s][0]).strip()
        for s in binding_seqs(trace, {"first", "second", "left", "right"}, seqs)
    }
    assert codes == {"first, second = pair"}
