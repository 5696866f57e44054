"""What a join of two branches keeps of their graphs.

A value made on both branches of an ``if`` by the same op at the same site (the same line
of a module's ``forward``, reached from two calls) keeps a node standing for both: a
backward through it frees that node on every path, so a second backward through it is
reported. So does a value that one branch wraps in one more op (``x = x.unsqueeze(1)``
under ``if x.dim() == 2:``): what both paths reach is kept. What only one path has is
dropped, so nothing is reported that does not hold on every path."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

TWO_CALLS = """import torch
import torch.nn as nn


class Decoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.Linear(4, 4)
        self.out = nn.Linear(4, 4)

    def forward(self, word, hidden):
        hidden = torch.tanh(self.rnn(word) + hidden)
        logits = self.out(hidden)
        return torch.softmax(logits, dim=-1), hidden, logits


decoder = Decoder()
hidden = torch.zeros(2, 4)
start = torch.zeros(2, 4)
{choose}
loss_a = logits.pow(2).mean()
loss_b = probs.sum()
loss_a.backward({retain})
loss_b.backward()
"""

BRANCHES = """flag = input() == "y"
if flag:
    probs, hidden, logits = decoder(start, hidden)
else:
    probs, hidden, logits = decoder(start + 1, hidden)"""

OTHER_MODULES = """other = Decoder()
flag = input() == "y"
if flag:
    probs, hidden, logits = decoder(start, hidden)
else:
    probs, hidden, logits = other(start, hidden)"""

RESHAPED = """import torch

lin = torch.nn.Linear(4, 4)
x = torch.sigmoid(lin(torch.randn(2, 4)))
if x.dim() == 2:
    x = x.unsqueeze(1)
first = x.sum()
second = (x * 2).sum()
first.backward({retain})
second.backward()
"""


def _codes(source: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in lint_source(source, "case.py").diagnostics]


def test_one_forward_line_reached_from_both_branches_is_freed_on_both() -> None:
    source = TWO_CALLS.format(choose=BRANCHES, retain="")
    assert _codes(source) == [("AG004", 28)]


def test_the_first_backward_retaining_the_graph_is_quiet() -> None:
    source = TWO_CALLS.format(choose=BRANCHES, retain="retain_graph=True")
    assert _codes(source) == []


def test_two_objects_of_one_module_class_run_the_same_lines() -> None:
    """Whichever object ran, the node at that line exists on the path and holds what it
    saved: the first backward frees it and the second reaches it."""
    source = TWO_CALLS.format(choose=OTHER_MODULES, retain="")
    assert _codes(source) == [("AG004", 29)]


def test_a_value_one_branch_reshapes_keeps_what_both_reach() -> None:
    assert _codes(RESHAPED.format(retain="")) == [("AG004", 10)]


def test_the_reshaped_value_retained_is_quiet() -> None:
    assert _codes(RESHAPED.format(retain="retain_graph=True")) == []


def test_a_graph_only_one_branch_built_is_not_reported() -> None:
    source = """import torch

lin = torch.nn.Linear(4, 4)
x = torch.randn(2, 4)
flag = input() == "y"
if flag:
    x = torch.sigmoid(lin(x))
else:
    x = torch.tanh(lin(x) * 2)
first = x.sum()
first.backward()
x.sum().backward()
"""
    assert _codes(source) == []


@pytest.mark.torch
@pytest.mark.parametrize("answer", ["y", "n"])
def test_torch_raises_on_either_branch(answer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    monkeypatch.setattr("builtins.input", lambda: answer)
    code = compile(TWO_CALLS.format(choose=BRANCHES, retain=""), "case.py", "exec")
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        exec(code, {"__name__": "case"})
    reshaped = compile(RESHAPED.format(retain=""), "reshaped.py", "exec")
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        exec(reshaped, {"__name__": "reshaped"})
