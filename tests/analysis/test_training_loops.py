"""Training-loop facts (analysis/training.py) as the rules see them: what a loop keeps
across iterations, which resets reach the stepped optimizer, which lists are copies."""

from __future__ import annotations

import pytest

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
MODEL = (
    "model = nn.Linear(4, 1)\nopt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    "loader = [torch.randn(2, 4) for _ in range(3)]\n"
)


def codes(body: str) -> list[str]:
    result = lint_source(HEADER + MODEL + body, settings=Settings(select=("AG",)))
    return [d.code for d in result.diagnostics]


@pytest.mark.parametrize(
    "body",
    [
        # a meter's method adds the tensor to state on the instance
        "class M:\n    def __init__(self):\n        self.sum = 0\n"
        "    def update(self, v):\n        self.sum += v\n"
        "m = M()\nfor x in loader:\n    opt.zero_grad()\n    loss = model(x).sum()\n"
        "    loss.backward()\n    opt.step()\n    m.update(loss)\n",
        # a dict of lists on self, filled in a method called from the loop
        "class T:\n    def __init__(self):\n        self.log = {'train': []}\n"
        "    def record(self, loss):\n        self.log['train'].append(loss)\n"
        "t = T()\nfor x in loader:\n    opt.zero_grad()\n    loss = model(x).sum()\n"
        "    loss.backward()\n    opt.step()\n    t.record(loss)\n",
        # a step's outputs kept with their loss
        "outs = []\nfor x in loader:\n    opt.zero_grad()\n    loss = model(x).sum()\n"
        "    loss.backward()\n    opt.step()\n    outs.append({'loss': loss})\n",
    ],
)
def test_accumulation_seen_through_objects_and_containers(body: str) -> None:
    assert "AG010" in codes(body)


@pytest.mark.parametrize(
    "body",
    [
        # emptied once its losses are used
        "kept = []\nfor x in loader:\n    kept.append(model(x).sum())\n"
        "    if len(kept) == 2:\n        opt.zero_grad()\n        sum(kept).backward()\n"
        "        opt.step()\n        kept.clear()\n",
        # the sum is backpropagated after the loop: collected on purpose
        "total = 0\nfor x in loader:\n    total = total + model(x).sum()\n"
        "opt.zero_grad()\ntotal.backward()\nopt.step()\n",
        # a backward of something unknown runs after the loop: it may be the consumer
        "kept = []\nfor x in loader:\n    kept.append(model(x).sum())\nunknown(kept).backward()\n",
    ],
)
def test_accumulation_meant_for_a_backward_is_silent(body: str) -> None:
    assert "AG010" not in codes(body)


def test_zero_grad_of_another_optimizer_does_not_count() -> None:
    body = (
        "other = nn.Linear(4, 1)\nopt2 = torch.optim.SGD(other.parameters(), lr=0.1)\n"
        "for x in loader:\n    model(x).sum().backward()\n    opt.step()\n"
        "    opt2.zero_grad()\n    other(x).sum().backward()\n    opt2.step()\n"
    )
    assert codes(body).count("AG015") == 1


@pytest.mark.parametrize(
    "reset",
    [
        "    opt.zero_grad()\n",
        "    model.zero_grad()\n",
        "    for p in model.parameters():\n        p.grad = None\n",
        "    helper(opt)\n",  # handed to code that is not followed
    ],
)
def test_any_reset_that_may_reach_the_optimizer_silences(reset: str) -> None:
    body = f"for x in loader:\n    model(x).sum().backward()\n    opt.step()\n{reset}"
    assert "AG015" not in codes(body)


def test_step_on_some_iterations_only_is_not_every_iteration() -> None:
    body = (
        "for i, x in enumerate(loader):\n    model(x).sum().backward()\n"
        "    if i % 2 == 1:\n        opt.step()\n"
    )
    assert "AG015" not in codes(body)


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        ("ps = [p.cuda() for p in model.parameters()]\no = torch.optim.SGD(ps, lr=0.1)\n", True),
        ("ps = [p * 1 for p in model.parameters()]\no = torch.optim.SGD(ps, lr=0.1)\n", True),
        ("w = torch.randn(3, requires_grad=True) * 0.1\no = torch.optim.SGD([w], lr=0.1)\n", True),
        ("model.cuda()\no = torch.optim.SGD(model.parameters(), lr=0.1)\n", False),
        ("w = torch.randn(3) * 0.1\nw.requires_grad_()\no = torch.optim.SGD([w], lr=0.1)\n", False),
        ("snap = [p.detach().cpu() for p in model.parameters()]\n", False),
    ],
)
def test_optimizer_from_copies(body: str, flagged: bool) -> None:
    assert ("AG016" in codes(body)) is flagged


VALIDATE = (
    "def validate(model, loader):\n"
    "    total = 0\n"
    "    for i, x in enumerate(loader):\n"
    "        loss = model(x).pow(2).mean()\n"
    "        total += {added}\n"
    "    return total\n"
)


@pytest.mark.parametrize(
    ("body", "flagged"),
    [
        # validation without no_grad, called on the data: every batch's graph is kept
        (VALIDATE.format(added="loss") + "val = validate(model, loader)\n", True),
        (VALIDATE.format(added="loss.item()") + "val = validate(model, loader)\n", False),
        # the sum is backpropagated by the caller: collected on purpose
        (VALIDATE.format(added="loss") + "validate(model, loader).backward()\n", False),
        # not called: its caller (not seen) may backpropagate what it returns
        (VALIDATE.format(added="loss"), False),
        # a loop over layers or over outputs builds one loss, it draws no data
        (
            "heads = nn.ModuleList(nn.Linear(4, 1) for _ in range(3))\n"
            "def forward(x):\n    total = 0\n    for head in heads:\n"
            "        total += head(x).mean()\n    return total\n"
            "out = forward(torch.randn(2, 4))\n",
            False,
        ),
        (
            "def joint(outs, ys):\n    total = 0\n    for out, y in zip(outs, ys):\n"
            "        total += (out - y).pow(2).mean()\n    return total\n"
            "outs = [model(x) for x in loader]\nj = joint(outs, loader)\n",
            False,
        ),
        # a backward of something unknown anywhere: it may be the sum's
        (
            VALIDATE.format(added="loss")
            + "val = validate(model, loader)\nunknown_thing().backward()\n",
            False,
        ),
    ],
)
def test_an_evaluation_loop_that_keeps_its_losses(body: str, flagged: bool) -> None:
    assert ("AG010" in codes(body)) is flagged


@pytest.mark.parametrize(("batches", "flagged"), [(1, False), (2, True)])
def test_a_loop_over_one_item_keeps_no_earlier_iteration(batches: int, flagged: bool) -> None:
    items = ", ".join(["torch.randn(2, 4)"] * batches)
    body = (
        f"total = 0\nfor x in [{items}]:\n    opt.zero_grad()\n    loss = model(x).sum()\n"
        "    loss.backward()\n    opt.step()\n    total += loss\n"
    )
    assert ("AG010" in codes(body)) is flagged
