"""``for x, y in loader`` over an object whose ``__iter__`` is a generator: each pass runs
the generator anew and binds what it yields. A graph built before the loop and sliced into
the batches is shared by every pass (the first backward frees it: AG004); what the
generator builds itself is new on each pass."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

SOURCE = """import torch

w = torch.randn(3, requires_grad=True)
X = torch.randn(4, 3)
Y = {labels}


class Loader:
    def __init__(self, X, Y):
        self.X, self.Y = X, Y

    def __iter__(self):
        for i in range(0, 4, 2):
            {body}


for x, y in Loader(X, Y):
    loss = ((x @ w - y) ** 2).sum()
    loss.backward()
"""

SLICES = "yield self.X[i:i + 2], self.Y[i:i + 2]"


def _codes(labels: str, body: str = SLICES) -> list[tuple[str, int]]:
    source = SOURCE.format(labels=labels, body=body)
    return [(d.code, d.line) for d in lint_source(source, "case.py").diagnostics]


def test_labels_with_a_graph_built_before_the_loop_are_freed_by_the_first_batch() -> None:
    assert _codes("X @ w") == [("AG004", 19)]


@pytest.mark.parametrize(
    ("labels", "body"),
    [
        ("(X @ w).detach()", SLICES),  # labels without a graph
        ("torch.randn(4)", SLICES),
        # the generator builds the labels' graph itself: a new one for each batch
        ("torch.randn(4)", "yield self.X[i:i + 2], self.X[i:i + 2] @ w"),
        # two yield sites: which one a pass gets is not followed
        ("X @ w", "yield self.X[:2], self.Y[:2]\n            yield self.X[2:], self.Y[2:]"),
        # yield from: the items come from elsewhere
        ("X @ w", "yield from zip(self.X, self.Y)"),
    ],
)
def test_look_alikes_stay_silent(labels: str, body: str) -> None:
    assert _codes(labels, body) == []


@pytest.mark.torch
def test_torch_raises_on_the_second_batch() -> None:
    torch = pytest.importorskip("torch")
    namespace: dict[str, object] = {}
    source = SOURCE.format(labels="X @ w", body=SLICES)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        exec(compile(source, "case.py", "exec"), namespace)
    namespace = {}
    exec(
        compile(SOURCE.format(labels="(X @ w).detach()", body=SLICES), "case.py", "exec"), namespace
    )
    assert torch.is_tensor(namespace["loss"])
