"""AG008 on a model's outputs rebuilt as new leaves one by one in a comprehension
(``[p.detach().requires_grad_() for p in preds]``) and summed into the loss: the backward
reaches those leaves and nothing else, so the model gets no gradient (pytorch-forecasting's
multivariate TiDE). Only where every later use of the leaves is seen and none reads their
gradient: a two-stage backward that hands ``p.grad`` on, an optimizer over the leaves, or a
function analysed alone (its caller unseen) are left alone."""

from __future__ import annotations

import pytest

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

HEADER = """import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Linear(6, 6)
x = torch.randn(4, 6)
targets = [torch.randn(4, 3), torch.randn(4, 3)]
out = model(x).view(4, 3, 2).permute(2, 0, 1)
"""


def flagged_lines(body: str) -> list[int]:
    result = lint_source(HEADER + body, settings=Settings(select=("AG",)))
    offset = HEADER.count("\n")
    return sorted(d.range.start_line - offset for d in result.diagnostics if d.code == "AG008")


REBUILT = "preds = [p.clone().detach().requires_grad_(True) for p in out]\n"
LOSS = "loss = sum(F.mse_loss(p, t) for p, t in zip(preds, targets))\n"


def test_outputs_rebuilt_in_a_comprehension_and_summed_train_nothing() -> None:
    assert flagged_lines(REBUILT + LOSS + "loss.backward()\n") == [1]


def test_the_same_in_a_module_forward_followed_from_the_top_level() -> None:
    body = (
        "class Head(nn.Module):\n"
        "    def __init__(self, outputs):\n"
        "        super().__init__()\n"
        "        self.outputs = outputs\n"
        "        self.lin = nn.Linear(6, 3 * outputs)\n\n"
        "    def forward(self, x):\n"
        "        y = self.lin(x).view(4, 3, self.outputs).permute(2, 0, 1)\n"
        "        if self.outputs > 1:\n"
        "            y = [i.detach().requires_grad_(True) for i in y]\n"
        "        return {'prediction': y}\n\n\n"
        "head = Head(2)\n"
        "result = head(x)\n"
        "sum(F.mse_loss(p, t) for p, t in zip(result['prediction'], targets)).backward()\n"
    )
    assert flagged_lines(body) == [10]


@pytest.mark.parametrize(
    "body",
    [
        # a two-stage backward: the leaves' gradients are handed on to the model's graph
        REBUILT + LOSS + "loss.backward()\nout.backward(torch.stack([p.grad for p in preds]))\n",
        # the leaves are optimised themselves (a latent search)
        REBUILT
        + "opt = torch.optim.Adam(preds, lr=0.1)\n"
        + LOSS
        + "loss.backward()\nopt.step()\n",
        # autograd.grad returns the gradients of the leaves: that is what it is for
        REBUILT + LOSS + "grads = torch.autograd.grad(loss, preds)\n",
        # detached copies of data, not of computed outputs: new inputs
        "inputs = [r.detach().requires_grad_(True) for r in torch.randn(2, 4, 3)]\n"
        "sum(F.mse_loss(p, t) for p, t in zip(inputs, targets)).backward()\n",
        # a term that reaches the model: the model is trained
        REBUILT + "loss = sum(F.mse_loss(p, t) for p, t in zip(preds, targets)) + out.sum()\n"
        "loss.backward()\n",
        # analysed alone, the caller may read the leaves' gradients
        "def step():\n"
        "    net, batch = nn.Linear(6, 6), torch.randn(4, 6)\n"
        "    ys = [torch.randn(3, 2), torch.randn(3, 2)]\n"
        "    preds = [p.detach().requires_grad_(True) for p in net(batch).view(4, 3, 2)]\n"
        "    sum(F.mse_loss(p, t) for p, t in zip(preds, ys)).backward()\n"
        "    return preds\n",
    ],
)
def test_look_alikes_that_train_or_read_the_leaves(body: str) -> None:
    assert flagged_lines(body) == []
