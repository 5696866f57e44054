"""A ``for`` over a ``range`` of known bounds with no number in it never runs: what its body
would have done is not there after it (``range(1, steps)`` with ``steps == 1``, the MAML
inner loop of https://github.com/dragen1860/MAML-Pytorch/issues/40). The bounds come from
literals, names, attributes of project objects and of ``argparse.Namespace`` /
``types.SimpleNamespace`` holders; ``n, c = x.size()`` binds numbers, so a loss divided by
one keeps what it is known to be."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

# the last loss kept is the one computed under no_grad, unless the loop runs and appends one
# that requires grad
META = """import torch
{imports}
w = torch.randn(3, requires_grad=True)
x = torch.randn(2, 3)
{setup}
losses = []
with torch.no_grad():
    losses.append((w * x[0]).sum())
for k in range(1, {bound}):
    losses.append((w * x[1]).sum())
n, d = x.size()
loss = losses[-1] / n
loss.backward()
"""


def _codes(source: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in lint_source(source, "case.py").diagnostics]


def _meta(bound: str, setup: str = "", imports: str = "") -> str:
    return META.format(bound=bound, setup=setup, imports=imports)


@pytest.mark.parametrize(
    ("bound", "setup", "imports"),
    [
        ("1", "", ""),
        ("steps", "steps = 1", ""),
        ("args.steps", "args = Namespace(steps=1, lr=0.1)", "from argparse import Namespace"),
        ("cfg.steps", "cfg = types.SimpleNamespace(steps=1)", "import types"),
        (
            "cfg.steps",
            "class Config:\n    def __init__(self, steps):\n        self.steps = steps\n"
            "cfg = Config(1)",
            "",
        ),
    ],
)
def test_a_loop_over_an_empty_range_leaves_the_no_grad_loss(
    bound: str, setup: str, imports: str
) -> None:
    source = _meta(bound, setup, imports)
    assert [code for code, _ in _codes(source)] == ["AG003"]


@pytest.mark.parametrize(
    ("bound", "setup", "imports"),
    [
        ("2", "", ""),  # runs once: the last loss requires grad
        ("args.steps", "args = Namespace(steps=2)", "from argparse import Namespace"),
        ("args.steps", "args = Namespace(**{'steps': 1})", "from argparse import Namespace"),
        (
            "args.steps",
            "args = Namespace(steps=1)\nargs.steps = 3",
            "from argparse import Namespace",
        ),
        ("args.steps", "args = parse()", "from train import parse"),  # unknown
        # handed to code that is not followed, which may set any attribute
        (
            "args.steps",
            "args = Namespace(steps=1)\nparser.parse_args(namespace=args)",
            "from argparse import Namespace\nfrom train import parser",
        ),
    ],
)
def test_a_loop_that_may_run_keeps_its_appends(bound: str, setup: str, imports: str) -> None:
    assert _codes(_meta(bound, setup, imports)) == []


def test_the_else_of_a_loop_that_never_runs_runs() -> None:
    source = (
        "import torch\nw = torch.randn(3, requires_grad=True)\nloss = (w * 2).sum()\n"
        "for _ in range(0):\n    break\nelse:\n    loss = loss.detach()\nloss.backward()\n"
    )
    assert [code for code, _ in _codes(source)] == ["AG003"]


def test_a_divisor_of_unknown_origin_leaves_the_loss_unknown() -> None:
    source = _meta("1").replace("n, d = x.size()", "n, d = shape_of(x)")
    assert _codes(source) == []


@pytest.mark.torch
def test_torch_raises_when_the_loop_never_runs() -> None:
    torch = pytest.importorskip("torch")
    w, x = torch.randn(3, requires_grad=True), torch.randn(2, 3)
    losses = []
    with torch.no_grad():
        losses.append((w * x[0]).sum())
    for _ in range(1, 1):
        losses.append((w * x[1]).sum())
    n, _d = x.size()
    with pytest.raises(RuntimeError, match="does not require grad"):
        (losses[-1] / n).backward()
