"""A small regression model and its training script, with autograd mistakes left in.

Every mistake below is one of autograd-lint's rules (AG001..AG016, one case each); the code
around them is the correct way to write the same thing, so the checker must tell the two
apart. Run ``autograd-lint example`` to see the findings, each replayed on the mini autograd
engine where a replay can show it. AG013 (a legacy ``.data`` write) is off by default:
``autograd-lint check --extend-select AG013`` on this file shows it too.
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


def inspect_gradients(model: TinyRegressor, x: torch.Tensor, y: torch.Tensor) -> None:
    """Prints the size of the gradients that reach the hidden features and the output."""
    features = model.fc1(x)
    # Correct: retain_grad() before the backward keeps a non-leaf's gradient.
    features.retain_grad()
    out = model.fc2(torch.sigmoid(features))
    F.mse_loss(out, y).backward()
    assert features.grad is not None
    print("features grad", features.grad.norm().item())
    # AG006: `out` is not a leaf and kept no gradient: its .grad is None (torch warns).
    print("output grad", out.grad)


def fit_bias(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Fits a linear model from a random start and a constant bias."""
    w = torch.zeros(4, 1, requires_grad=True)
    # Correct: initialising a leaf in place under no_grad.
    with torch.no_grad():
        w.normal_(0.0, 0.1)
    b = torch.zeros(1, requires_grad=True)
    # AG007: an in-place op on a leaf that requires grad, with grad mode on: torch raises.
    b.fill_(0.5)
    loss = F.mse_loss(x @ w + b, y)
    loss.backward()
    return w


def input_saliency(model: TinyRegressor, x: torch.Tensor) -> torch.Tensor | None:
    """How much each input feature moves the prediction."""
    # Correct: a detached copy of the input is a new leaf, and may require grad.
    inputs = x.detach()
    inputs.requires_grad = True
    model(inputs).sum().backward()
    # AG008: the hidden features are not a leaf; their requires_grad cannot be changed.
    features = model.fc1(x)
    features.requires_grad = True
    model.fc2(torch.sigmoid(features)).sum().backward()
    return inputs.grad


def weighted_step(model: TinyRegressor, x: torch.Tensor, y: torch.Tensor) -> None:
    """One step on a per-sample weighted loss."""
    per_sample = F.mse_loss(model(x), y, reduction="none")
    # Correct: reduce the weighted losses to a scalar before the backward.
    (per_sample * 0.5).mean().backward()
    # AG009: `per_sample` has one loss per sample; backward needs a scalar (or gradient=).
    per_sample = F.mse_loss(model(x), y, reduction="none")
    per_sample.backward()


def train_epoch(model: TinyRegressor, batches: list[tuple[torch.Tensor, torch.Tensor]]) -> float:
    """One epoch, with the running loss reported at the end."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    running = 0.0
    total = torch.zeros(())
    for xb, yb in batches:
        optimizer.zero_grad()
        loss = F.mse_loss(model(xb), yb)
        loss.backward()
        optimizer.step()
        # Correct: a Python number keeps no graph.
        running += loss.item()
        # AG010: adding the loss tensor keeps every iteration's graph alive.
        total += loss
    print("epoch loss", total.item() / len(batches))
    return running / len(batches)


def predictions_for_plot(model: TinyRegressor, x: torch.Tensor) -> list[object]:
    """Predictions as numpy arrays, for plotting."""
    # Correct: detach before leaving torch.
    shown = [model(x).detach().numpy()]
    # AG011: the prediction requires grad: numpy() raises.
    shown.append(model(x).numpy())
    return shown


def last_steps(model: TinyRegressor, x: torch.Tensor) -> torch.Tensor:
    """The last two outputs of a batch, without their history."""
    out = model(x)
    # Correct: an out-of-place detach of a view.
    kept = out[-2:].detach()
    # AG012: `tail` is a view of `out`: it cannot be detached in place.
    tail = out[-2:]
    tail.detach_()
    return kept + tail


def reset_output_bias(model: TinyRegressor) -> None:
    """Starts the output layer from a zero bias."""
    # Correct: the parameter itself, written under no_grad.
    with torch.no_grad():
        model.fc1.bias.zero_()
    # AG013 (off by default): a write through .data hides the update from autograd.
    model.fc2.bias.data.zero_()


def debug_training(model: TinyRegressor, x: torch.Tensor, y: torch.Tensor) -> None:
    """A few steps with autograd's anomaly detection switched on."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    # AG014: anomaly detection left on slows every step of the training loop below.
    torch.autograd.set_detect_anomaly(True)
    for _ in range(3):
        optimizer.zero_grad()
        F.mse_loss(model(x), y).backward()
        optimizer.step()
    torch.autograd.set_detect_anomaly(False)


def refit(model: TinyRegressor, x: torch.Tensor, y: torch.Tensor) -> None:
    """A few more steps on the same data."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    for _ in range(3):
        # AG015: no zero_grad() in the loop: each step adds to the last step's gradients.
        loss = F.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()


def train_in_double(model: TinyRegressor, x: torch.Tensor, y: torch.Tensor) -> None:
    """Trains a double-precision copy of the model."""
    # Correct: converting the module keeps its parameters the model's own.
    twin = TinyRegressor(4, 16).double()
    twin_optimizer = torch.optim.SGD(twin.parameters(), lr=0.01)
    twin_optimizer.zero_grad()
    F.mse_loss(twin(x.double()), y.double()).backward()
    twin_optimizer.step()
    # AG016: each `params[i]` becomes a copy; the optimizer updates the copies, not the model.
    params: list[torch.Tensor] = list(model.parameters())
    for i, p in enumerate(params):
        params[i] = p.double()
    optimizer = torch.optim.SGD(params, lr=0.01)
    optimizer.zero_grad()
    F.mse_loss(model(x), y).backward()
    optimizer.step()


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
    inspect_gradients(model, x, y)
    fit_bias(x, y)
    input_saliency(model, x)
    weighted_step(model, x, y)
    train_epoch(model, [(x[:32], y[:32]), (x[32:], y[32:])])
    predictions_for_plot(model, x)
    last_steps(model, x)
    reset_output_bias(model)
    debug_training(model, x, y)
    refit(model, x, y)
    train_in_double(model, x, y)
    return snapshots


if __name__ == "__main__":
    train()
