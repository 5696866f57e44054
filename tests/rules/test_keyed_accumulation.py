"""AG010 on running sums kept under keys the analysis does not know (a meter's list of sums
indexed by position, a ``defaultdict`` filled from a dict of losses), and a backward of
something unknown in an unrelated function, which does not hide a leak elsewhere."""

from __future__ import annotations

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

HEADER = """import collections

import torch
import torch.nn as nn

model = nn.Linear(8, 2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
criterion = nn.CrossEntropyLoss()
loader = [(torch.randn(4, 8), torch.randint(0, 2, (4,))) for _ in range(3)]


class ListMeter:
    def __init__(self, n):
        self.sums = [0] * n

    def update(self, values):
        for i, v in enumerate(values):
            self.sums[i] += v{detach}


def epoch(meter):
    for inputs, labels in loader:
        out = model(inputs)
        ce, l2 = criterion(out, labels), out.pow(2).mean()
        optimizer.zero_grad()
        (ce + l2).backward()
        optimizer.step()
        meter.update([ce, l2])
"""


def _lines(source: str) -> list[int]:
    result = lint_source(source, "train.py", Settings(runtime_check="off"))
    return [d.range.start_line for d in result.diagnostics if d.code == "AG010"]


def test_a_list_meter_indexed_by_position_keeps_every_graph() -> None:
    source = HEADER.format(detach="") + "\n\nepoch(ListMeter(2))\n"
    assert _lines(source) == [18]


def test_a_list_meter_of_detached_values_is_not_flagged() -> None:
    source = HEADER.format(detach=".detach()") + "\n\nepoch(ListMeter(2))\n"
    assert _lines(source) == []


def test_a_meter_made_anew_in_each_iteration_is_not_flagged() -> None:
    source = HEADER.format(detach="").replace(
        "        meter.update([ce, l2])",
        "        meter = ListMeter(2)\n        meter.update([ce, l2])",
    )
    assert _lines(source + "\n\nepoch(None)\n") == []


UNRELATED = """

def finetune(batch, head):
    scores = head(batch)
    scores.sum().backward()  # unknown: head is a parameter
"""


def test_an_unknown_backward_in_an_unrelated_function_does_not_hide_the_leak() -> None:
    source = HEADER.format(detach="") + UNRELATED + "\n\nepoch(ListMeter(2))\n"
    assert _lines(source) == [18]


def test_an_unknown_backward_in_the_caller_still_may_backpropagate_the_sums() -> None:
    caller = """

def run(head):
    meter = ListMeter(2)
    epoch(meter)
    sum(meter.sums).backward()
"""
    source = HEADER.format(detach="") + caller + "\n\nrun(None)\n"
    assert _lines(source) == []
