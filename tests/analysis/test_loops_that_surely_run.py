"""A loop over ``t.split(n)`` or ``t.chunk(n)`` (a positive integer ``n``) surely runs: both
give one chunk or more, even for an empty tensor. After such a loop only what its body
left holds, so a hidden state it updates keeps the graph node it was given there (joined
with the state from before the loop, the node would be lost and the finding with it)."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

CARRIED = """import torch

cell = torch.nn.Linear(3, 3)
h = torch.zeros(2, 3)
seq = torch.randn(4, 2, 3)
for chunk in seq.split(2):
    for x in chunk.{split}:
        h = torch.tanh(cell(x.squeeze(0)) + h)
    h.sum().backward()
"""


def _codes(source: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in lint_source(source, "case.py").diagnostics]


@pytest.mark.parametrize("split", ["split(1)", "chunk(2)"])
def test_a_state_carried_through_a_split_loop_into_the_next_chunk(split: str) -> None:
    assert _codes(CARRIED.format(split=split)) == [("AG004", 9)]


def test_the_state_detached_after_each_chunk_is_quiet() -> None:
    source = CARRIED.format(split="split(1)") + "    h = h.detach()\n"
    assert _codes(source) == []


def test_a_split_into_a_list_of_sizes_may_give_nothing() -> None:
    """``t.split(sizes)`` with an unknown list may be empty: the loop may not run, what is
    known after it is only what holds either way, and nothing is reported."""
    source = CARRIED.format(split="split(sizes)").replace(
        "seq = ", "sizes = list(map(int, input().split()))\nseq = "
    )
    assert _codes(source) == []


@pytest.mark.torch
def test_torch_raises_for_the_carried_state() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        exec(CARRIED.format(split="split(1)"), {"torch": torch})
