"""A small regression model and its training script, with five autograd mistakes left in.

Every mistake below is one of autograd-lint's rules (AG001..AG005); the code around them is
the correct way to write the same thing, so the checker must tell the two apart. Run
``autograd-lint example`` to see the findings, each replayed on the mini autograd engine.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class TinyRegressor(nn.Module):
    """Two linear layers with a sigmoid in between."""

    def __init__(self, features: int, hidden: int) -> None:
        super().__init__()
        self.fc1 = nn.Linear(features, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = torch.sigmoid(self.fc1(x))
        return self.fc2(hidden)


def make_data(n: int, features: int) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randn(n, features)
    y = x.sum(dim=1, keepdim=True) + 0.1 * torch.randn(n, 1)
    return x, y


def train_feature_scale(x: torch.Tensor, y: torch.Tensor, steps: int = 5) -> torch.Tensor:
    """Learns one scale per feature with a hand-written SGD step."""
    scale = torch.ones(4, requires_grad=True)
    for _ in range(steps):
        pred = (x * scale**2).sum(dim=1, keepdim=True)
        loss = ((pred - y) ** 2).mean()
        # Reading .data is fine: nothing is written.
        print("scale norm", scale.data.norm())
        # AG001: `**` saved `scale` for the backward below; a write through .data is
        # invisible to autograd (its version counter does not move), so the gradient is
        # computed from the decayed values, silently wrong.
        scale.data.mul_(0.99)
        loss.backward()
        # Correct: the update itself happens under no_grad, after the backward.
        assert scale.grad is not None
        with torch.no_grad():
            scale -= 0.1 * scale.grad
            scale.grad.zero_()
    return scale


def gated_loss(logits: torch.Tensor) -> torch.Tensor | None:
    """Soft gating with a confidence mask."""
    weights = torch.randn(4, 3, requires_grad=True)
    gate = torch.sigmoid(logits @ weights)
    # Correct: the mask is a copy, so editing it leaves `gate` alone.
    soft_mask = gate.detach().clone()
    soft_mask[soft_mask < 0.1] = 0.0
    # AG002: sigmoid saved its output for backward; `hard_mask` shares its storage and
    # version counter, so zeroing it in place breaks the backward below.
    hard_mask = gate.detach()
    hard_mask.zero_()
    loss = (gate * soft_mask).sum()
    loss.backward()
    return weights.grad


def fine_tune(model: TinyRegressor, x: torch.Tensor, y: torch.Tensor) -> float:
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    optimizer.zero_grad()
    loss = F.mse_loss(model(x), y)
    loss.backward()
    optimizer.step()
    # Correct: evaluation under no_grad, and no backward through it.
    with torch.no_grad():
        eval_loss = F.mse_loss(model(x), y)
    print("eval", eval_loss.item())
    # AG003: a loss re-wrapped from a Python float has no graph to differentiate.
    logged = torch.tensor(loss.item())
    logged.backward()
    return eval_loss.item()


def train_recurrent(steps: int = 4) -> None:
    """A recurrent cell trained with truncated backpropagation through time."""
    w_rec = torch.randn(8, 8, requires_grad=True)
    h = torch.zeros(8)
    for _ in range(steps):
        # Correct: cut the history each step so every backward has its own graph.
        h = h.detach()
        h = torch.tanh(w_rec @ h + 1.0)
        loss = h.pow(2).sum()
        loss.backward()

    w_in = torch.randn(8, 8, requires_grad=True)
    state = torch.zeros(8)
    for _ in range(steps):
        # AG004: `state` carries the previous step's graph, which that step's backward
        # already freed; the second iteration's backward fails.
        state = torch.tanh(w_in @ state + 1.0)
        loss = state.pow(2).sum()
        loss.backward()

    # Correct: two backwards through one graph, the first keeping it alive.
    w_out = torch.randn(8, requires_grad=True)
    out = torch.sigmoid(w_out * 2.0)
    out.sum().backward(retain_graph=True)
    out.sum().backward()


def train(epochs: int = 3) -> list[torch.Tensor]:
    x, y = make_data(64, 4)
    model = TinyRegressor(4, 16)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    best_loss = float("inf")
    snapshots: list[torch.Tensor] = []
    for _ in range(epochs):
        optimizer.zero_grad()
        pred = model(x)
        loss = F.mse_loss(pred, y)
        loss.backward()
        optimizer.step()
        # Correct: a snapshot without history.
        snapshots.append(pred.detach().clone())
        if loss.item() < best_loss:
            best_loss = loss.item()
    # Correct: cloning inside the computation on purpose, to avoid an in-place op on a leaf.
    bias = torch.zeros(4, requires_grad=True)
    shifted = bias.clone()
    shifted[0] = 1.0
    shifted.sum().backward()
    # AG005: a clone keeps the autograd history; the stored "snapshot" still requires grad
    # and keeps the graph of `bias` alive.
    snapshots.append(bias.clone())
    train_feature_scale(x, y)
    gated_loss(torch.randn(2, 4))
    fine_tune(model, x, y)
    train_recurrent()
    return snapshots


if __name__ == "__main__":
    train()
