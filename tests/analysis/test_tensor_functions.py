"""torch functions outside the op registry that are known to return tensors
(:mod:`autograd_lint.analysis.tensor_functions`): what they return is a tensor, requiring
grad as its arguments do, with a graph node that links to its arguments' graphs and says
whether its backward needs saved tensors."""

from __future__ import annotations

import pytest

from autograd_lint.analysis.tensor_functions import SAVING_FUNCTIONS, TENSOR_FUNCTIONS
from autograd_lint.lint import lint_source

HEADER = "import torch\n\na = torch.randn(5, 5)\nsym = a @ a.T\nw = torch.randn(5, 5, requires_grad=True)\n"


def _codes(body: str) -> list[tuple[str, int]]:
    offset = HEADER.count("\n")
    return [(d.code, d.line - offset) for d in lint_source(HEADER + body, "case.py").diagnostics]


def test_an_eigenvalue_copied_with_torch_tensor_is_a_tensor_copy() -> None:
    body = (
        "vals, vecs = torch.linalg.eigh(sym)\n"
        "top = torch.flip(vals, dims=[0])[:3]\n"
        "tail = torch.tensor(top[2], dtype=torch.float)\n"
    )
    assert _codes(body) == [("AG005", 3)]


def test_a_result_under_no_grad_does_not_require_grad() -> None:
    body = "with torch.no_grad():\n    n = torch.linalg.norm(w)\nn.backward()\n"
    assert [code for code, _ in _codes(body)] == ["AG003"]


@pytest.mark.parametrize(
    "body",
    [
        "n = torch.linalg.norm(w)\nn.backward()\n",  # requires grad through w
        "vals = torch.linalg.eigvalsh(sym)\ntail = vals[2].detach().clone()\n",
        "res = torch.tril(sym, out=buffer_of(sym))\ncopy = torch.tensor(res)\n",  # out= not modelled
        "vals = torch.special.entr(sym)\ntail = torch.tensor(vals[2])\n",  # not listed
        "n = torch.linalg.norm(shift(w))\nn.backward()\n",  # an argument of unknown facts
    ],
)
def test_look_alikes_stay_silent(body: str) -> None:
    assert _codes(body) == []


@pytest.mark.parametrize(
    "body",
    [
        "n = torch.linalg.norm(w)\nn.backward()\nn.backward()\n",
        "vals, vecs = torch.linalg.eigh(w @ w.T)\nloss = vals.sum()\nloss.backward()\n"
        "loss.backward()\n",
        "d = torch.cdist(w, sym).sum()\nd.backward()\nd.backward()\n",
        # flip saves nothing, but the product under it saved `w`
        "y = torch.flip(w * w, dims=[0]).sum()\ny.backward()\ny.backward()\n",
    ],
)
def test_a_second_backward_through_a_saving_function_is_found(body: str) -> None:
    assert [code for code, _ in _codes(body)] == ["AG004"]


@pytest.mark.parametrize(
    "body",
    [
        "y = torch.flip(w, dims=[0]).sum()\ny.backward()\ny.backward()\n",
        "y = torch.cumsum(w, 0).sum()\ny.backward()\ny.backward()\n",
        "n = torch.linalg.norm(w)\nn.backward(retain_graph=True)\nn.backward()\n",
        "n = torch.linalg.norm(w)\nn.backward()\nn = torch.linalg.norm(w)\nn.backward()\n",
    ],
)
def test_a_second_backward_that_works_stays_silent(body: str) -> None:
    assert _codes(body) == []


def _arguments(name: str, torch):  # type: ignore[no-untyped-def]
    square = torch.randn(4, 4)
    leaf = (square @ square.T + 4 * torch.eye(4)).requires_grad_()
    extra = {
        "torch.roll": ((1,), {}),
        "torch.flip": (([0],), {}),
        "torch.cumsum": ((0,), {}),
        "torch.cumprod": ((0,), {}),
        "torch.logsumexp": ((0,), {}),
        "torch.cdist": ((torch.randn(3, 4),), {}),
        "torch.cosine_similarity": ((torch.randn(4, 4),), {}),
        "torch.nn.functional.cosine_similarity": ((torch.randn(4, 4),), {}),
    }
    if name == "torch.outer":
        return (leaf[0], torch.randn(3)), {}
    args, kwargs = extra.get(name, ((), {}))
    return (leaf, *args), kwargs


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(TENSOR_FUNCTIONS))
def test_each_listed_function_returns_tensors_that_follow_their_argument(name: str) -> None:
    torch = pytest.importorskip("torch")
    function = torch
    for part in name.split(".")[1:]:
        function = getattr(function, part)
    args, kwargs = _arguments(name, torch)
    result = function(*args, **kwargs)
    outputs = TENSOR_FUNCTIONS[name]
    results = (result,) if outputs == 0 else tuple(result)
    assert len(results) == max(outputs, 1)
    assert all(isinstance(r, torch.Tensor) and r.requires_grad for r in results)
    with torch.no_grad():
        again = function(*args, **kwargs)
    assert not any(r.requires_grad for r in ((again,) if outputs == 0 else tuple(again)))


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(TENSOR_FUNCTIONS))
def test_a_second_backward_fails_exactly_for_the_saving_functions(name: str) -> None:
    torch = pytest.importorskip("torch")
    function = torch
    for part in name.split(".")[1:]:
        function = getattr(function, part)
    args, kwargs = _arguments(name, torch)
    result = function(*args, **kwargs)
    loss = sum(r.sum() for r in ((result,) if TENSOR_FUNCTIONS[name] == 0 else tuple(result)))
    loss.backward()
    try:
        loss.backward()
    except RuntimeError as error:
        assert "backward through the graph a second time" in str(error)
        failed = True
    else:
        failed = False
    assert failed == (name in SAVING_FUNCTIONS)
