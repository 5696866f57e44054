"""``F.one_hot`` on the engine and on torch: codes, dtype, no grad, and torch's errors."""

from __future__ import annotations

import pytest
from engine_harness import assert_same

from autograd_lint.runtime_check import engine

torch = pytest.importorskip("torch")

PROGRAMS = {
    "codes": "labels = torch.tensor([0, 2, 1, 2])\ncodes = F.one_hot(labels, num_classes=4)",
    "inferred classes": "labels = torch.tensor([[0, 3], [1, 1]])\ncodes = F.one_hot(labels)",
    "float input": "labels = torch.tensor([0.0, 1.0])\ncodes = F.one_hot(labels, 3)",
    "class out of range": "labels = torch.tensor([0, 5])\ncodes = F.one_hot(labels, num_classes=3)",
    "negative class": "labels = torch.tensor([0, -1])\ncodes = F.one_hot(labels, num_classes=3)",
    "loss without grad": (
        "logits = torch.tensor([[0.5, -1.0, 2.0], [1.0, 0.2, -0.3]])\n"
        "labels = torch.tensor([2, 0])\n"
        "pt = (F.one_hot(labels, 3).float() * F.softmax(logits, dim=-1)).sum()\n"
        "pt.backward()"
    ),
    "loss with grad": (
        "logits = torch.tensor([[0.5, -1.0, 2.0], [1.0, 0.2, -0.3]], requires_grad=True)\n"
        "labels = torch.tensor([2, 0])\n"
        "pt = (F.one_hot(labels, 3).float() * F.softmax(logits, dim=-1)).sum()\n"
        "pt.backward()"
    ),
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_one_hot_matches_torch(name: str) -> None:
    assert_same(PROGRAMS[name], engine, torch)
