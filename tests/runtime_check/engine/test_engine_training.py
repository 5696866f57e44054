"""The engine against torch on what the training-loop witnesses rest on: optimizers refuse
non-leaf tensors with torch's message, and the graph an accumulator keeps grows alike."""

from __future__ import annotations

import pytest

from autograd_lint.runtime_check import engine
from autograd_lint.runtime_check.worker import autograd_nodes

torch = pytest.importorskip("torch")

COPIES = ("w * 1", "w.clone()", "w.double()", "w + 0")


def _refusal(lib, copy: str) -> str | None:
    w = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
    tensor = eval(copy, {"w": w})
    try:
        lib.optim.SGD([tensor], lr=0.1)
    except ValueError as error:
        return str(error)
    return None


@pytest.mark.parametrize("copy", COPIES)
def test_optimizer_refuses_a_non_leaf_as_torch_does(copy):
    assert _refusal(engine, copy) == _refusal(torch, copy) == "can't optimize a non-leaf Tensor"


def test_optimizer_accepts_leaves_alike():
    for lib in (engine, torch):
        w = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        lib.optim.SGD([w, lib.tensor([1.0]).requires_grad_()], lr=0.1)


def _nodes(lib, iterations: int, detach: bool) -> int:
    layer = lib.nn.Linear(2, 1)
    x = lib.ones(1, 2)
    total = 0
    for _ in range(iterations):
        loss = layer(x).sum()
        total = total + (loss.detach() if detach else loss)
    return autograd_nodes(total)


@pytest.mark.parametrize("detach", [False, True])
def test_kept_graph_grows_alike(detach):
    for lib in (engine, torch):
        two, four = _nodes(lib, 2, detach), _nodes(lib, 4, detach)
        assert (four > two) is not detach, (lib.__name__, two, four)
        if detach:
            assert two == four == 0


def test_second_step_gradient_is_the_sum_alike():
    seen = []
    for lib in (engine, torch):
        w = lib.nn.Parameter(lib.tensor([1.0, 2.0]))
        opt = lib.optim.SGD([w], lr=0.0)
        for x in ([1.0, -1.0], [0.5, 3.0]):
            (w * lib.tensor(x)).sum().backward()
            opt.step()
        seen.append(w.grad.tolist())
    assert seen[0] == seen[1] == [1.5, 2.0]
