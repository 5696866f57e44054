"""A deterministic generator of realistic PyTorch training code, for benchmarks.

The corpus mixes what a real ML repository holds: model definitions (``nn.Module``
subclasses), training and evaluation loops, data utilities that never touch autograd (the
linter's pre-check skips those without parsing), and, at a low rate, the autograd pitfalls the
rules look for, next to their correct look-alikes. Names and numbers vary per file, so no two
files are identical. The same ``seed`` and ``total_lines`` always give the same files.

    python benchmarks/corpus.py OUTDIR --lines 100000 [--seed 0]
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from pathlib import Path

HEADER = '''"""{doc}"""

from __future__ import annotations

import math
import torch
import torch.nn.functional as F
from torch import nn
'''

UTIL_HEADER = '''"""{doc}"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
'''


def module_class(r: random.Random, n: int) -> str:
    hidden = r.choice([32, 64, 128, 256])
    features = r.choice([8, 16, 32])
    act = r.choice(["relu", "tanh", "sigmoid", "gelu"])
    dropout = r.choice([0.0, 0.1, 0.2])
    return f'''

class Block{n}(nn.Module):
    """A residual MLP block with {act} and dropout {dropout}."""

    def __init__(self, features: int = {features}, hidden: int = {hidden}) -> None:
        super().__init__()
        self.fc_in = nn.Linear(features, hidden)
        self.fc_out = nn.Linear(hidden, features)
        self.norm = nn.LayerNorm(features)
        self.dropout = nn.Dropout({dropout})
        self.scale = nn.Parameter(torch.ones(features))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.{act}(self.fc_in(self.norm(x)))
        h = self.dropout(h)
        return x + self.scale * self.fc_out(h)

    def extra_repr(self) -> str:
        return "features={features}, hidden={hidden}"
'''


def train_loop(r: random.Random, n: int) -> str:
    lr = r.choice(["1e-3", "3e-4", "0.01"])
    clip = r.choice(["1.0", "0.5", "5.0"])
    log_every = r.choice([10, 50, 100])
    return f'''

def train_{n}(model: nn.Module, loader, epochs: int = 3) -> list[float]:
    """Train with Adam and gradient clipping; returns the mean loss per epoch."""
    optimizer = torch.optim.Adam(model.parameters(), lr={lr})
    history: list[float] = []
    for epoch in range(epochs):
        model.train()
        total = 0.0
        count = 0
        for step, (inputs, targets) in enumerate(loader):
            optimizer.zero_grad()
            outputs = model(inputs)
            loss = F.mse_loss(outputs, targets)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), {clip})
            optimizer.step()
            total += loss.item()
            count += 1
            if step % {log_every} == 0:
                print(f"epoch {{epoch}} step {{step}} loss {{loss.item():.4f}}")
        history.append(total / max(count, 1))
    return history
'''


def eval_loop(r: random.Random, n: int) -> str:
    metric = r.choice(["mse_loss", "l1_loss", "smooth_l1_loss"])
    return f'''

@torch.no_grad()
def evaluate_{n}(model: nn.Module, loader) -> float:
    """Mean {metric} over a loader, without building graphs."""
    model.eval()
    total = 0.0
    batches = 0
    for inputs, targets in loader:
        predictions = model(inputs)
        total += F.{metric}(predictions, targets).item()
        batches += 1
    return total / max(batches, 1)
'''


def manual_sgd(r: random.Random, n: int) -> str:
    size = r.choice([4, 8, 16])
    steps = r.choice([5, 10, 20])
    return f'''

def fit_linear_{n}(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Least squares by hand-written gradient descent."""
    w = torch.zeros({size}, requires_grad=True)
    for _ in range({steps}):
        pred = x @ w
        loss = ((pred - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
    return w.detach().clone()
'''


def recurrent(r: random.Random, n: int) -> str:
    size = r.choice([8, 16, 32])
    return f'''

def unroll_{n}(inputs: torch.Tensor, steps: int = 4) -> torch.Tensor:
    """Truncated backpropagation through time over a tanh cell."""
    weight = torch.randn({size}, {size}, requires_grad=True)
    state = torch.zeros({size})
    for t in range(steps):
        state = state.detach()
        state = torch.tanh(weight @ state + inputs[t])
        loss = state.pow(2).sum()
        loss.backward()
    return state
'''


def pitfall(r: random.Random, n: int) -> str:
    kind = r.randrange(5)
    size = r.choice([3, 4, 8])
    if kind == 0:
        body = f"""    w = torch.randn({size}, requires_grad=True)
    y = (w * w).sum()
    w.data.mul_(0.5)
    y.backward()
    return w.grad"""
    elif kind == 1:
        body = f"""    w = torch.randn({size}, requires_grad=True)
    out = torch.sigmoid(w * 2.0)
    alias = out.detach()
    alias.zero_()
    out.sum().backward()
    return w.grad"""
    elif kind == 2:
        body = f"""    w = torch.randn({size}, requires_grad=True)
    with torch.no_grad():
        loss = (w * w).sum()
    loss.backward()
    return w.grad"""
    elif kind == 3:
        body = f"""    w = torch.randn({size}, requires_grad=True)
    loss = torch.exp(w).sum()
    loss.backward()
    loss.backward()
    return w.grad"""
    else:
        body = f"""    w = torch.randn({size}, requires_grad=True)
    snapshots = []
    for _ in range(3):
        (w * w).sum().backward()
        snapshots.append(w.clone())
    return snapshots"""
    return f'''

def experiment_{n}():
    """A quick experiment left in the code base."""
{body}
'''


def util_dataclass(r: random.Random, n: int) -> str:
    fields = r.sample(["name", "path", "seed", "epochs", "batch_size", "tags", "notes"], 4)
    lines = "\n".join(f"    {f}: str = {f!r}" for f in fields)
    return f'''

@dataclass
class RunConfig{n}:
    """Settings of one experiment run, loaded from JSON."""

{lines}
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str) -> "RunConfig{n}":
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        known = {{k: v for k, v in data.items() if k in cls.__dataclass_fields__}}
        return cls(**known)

    def save(self, directory: str) -> str:
        os.makedirs(directory, exist_ok=True)
        target = os.path.join(directory, "config_{n}.json")
        with open(target, "w", encoding="utf-8") as handle:
            json.dump(self.__dict__, handle, indent=2)
        return target
'''


def util_function(r: random.Random, n: int) -> str:
    sep = r.choice(["','", "';'", "'\\t'"])
    return f'''

def read_table_{n}(path: str, limit: int | None = None) -> list[list[str]]:
    """Rows of a delimited text file, skipping comments and blank lines."""
    rows: list[list[str]] = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            rows.append([cell.strip() for cell in line.split({sep})])
            if limit is not None and len(rows) >= limit:
                break
    return rows
'''


TORCH_PIECES: list[Callable[[random.Random, int], str]] = [
    module_class,
    train_loop,
    eval_loop,
    manual_sgd,
    recurrent,
]
UTIL_PIECES: list[Callable[[random.Random, int], str]] = [util_dataclass, util_function]


def generate_file(r: random.Random, index: int, target_lines: int, pitfall_rate: float) -> str:
    torch_file = r.random() < 0.7
    doc = f"{'Models and training' if torch_file else 'Data and config utilities'}, part {index}."
    parts = [(HEADER if torch_file else UTIL_HEADER).format(doc=doc)]
    lines = parts[0].count("\n")
    n = 0
    while lines < target_lines:
        if torch_file and r.random() < pitfall_rate:
            piece = pitfall(r, index * 1000 + n)
        else:
            maker = r.choice(TORCH_PIECES if torch_file else UTIL_PIECES)
            piece = maker(r, index * 1000 + n)
        parts.append(piece)
        lines += piece.count("\n")
        n += 1
    return "".join(parts)


def generate_corpus(
    directory: Path,
    total_lines: int,
    seed: int = 0,
    lines_per_file: int = 400,
    pitfall_rate: float = 0.05,
) -> list[Path]:
    """Write files of about ``lines_per_file`` lines until ``total_lines`` are reached."""
    r = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    lines = 0
    index = 0
    while lines < total_lines:
        size = max(50, int(r.gauss(lines_per_file, lines_per_file / 3)))
        text = generate_file(r, index, min(size, total_lines - lines + 20), pitfall_rate)
        package = directory / f"pkg_{index // 50:03d}"
        package.mkdir(exist_ok=True)
        path = package / f"module_{index:04d}.py"
        path.write_text(text, encoding="utf-8")
        written.append(path)
        lines += text.count("\n")
        index += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    files = generate_corpus(args.outdir, args.lines, args.seed)
    total = sum(p.read_text(encoding="utf-8").count("\n") for p in files)
    print(f"wrote {len(files)} files, {total} lines to {args.outdir}")


if __name__ == "__main__":
    main()
