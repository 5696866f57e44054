"""How checking a project with cross-file calls grows with its size.

A generated package (``pkg/``) of ``N`` modules: layers modules (``nn.Module`` classes and
helpers that import from one another, some through a re-exporting ``__init__``) and
training scripts that import models from two or three layers modules, build them with
arguments, call helper functions across files and run a training loop. One module in twenty
plants a pitfall that only shows across files (an in-place write in an imported module's
``forward`` on what it saved), so the run has findings to agree on.

For N = 100, 300 and 1,000 files (``--sizes``), in a fresh interpreter each, ``check
--jobs 1`` runs with imports followed and with ``--no-follow-imports``; the libcst parse of
the same files is the floor. Reported per size, in CPU seconds: the total, milliseconds per
file, the ratio to the floor and to the run without imports, and the per-file cost against
the smallest size: a project analysis linear in the number of files keeps that last ratio
near 1.

    python benchmarks/bench_project.py [--sizes 100,300,1000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import PARSE, measure

CHECK = """
import json, sys, time
from autograd_lint.config import Settings
from autograd_lint.runner import CheckOptions, run_checks
files = json.loads(sys.stdin.read())
follow = sys.argv[1] == "follow"
start, cpu = time.perf_counter(), time.process_time()
outcomes = run_checks(files, CheckOptions(Settings(follow_imports=follow)), jobs=1)
seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
findings = sorted(
    (o.result.path, d.range.start_line, d.code) for o in outcomes for d in o.result.diagnostics
)
errors = [o.error for o in outcomes if o.error]
print(json.dumps({"seconds": seconds, "cpu": cpu, "findings": findings, "errors": errors}))
"""


def layers_module(r: random.Random, index: int, earlier: list[int], planted: bool) -> str:
    width = r.choice([16, 32, 64])
    imports = "".join(
        f"from pkg.layers_{other} import Block{other}, scale_{other}\n"
        for other in r.sample(earlier, min(2, len(earlier)))
    )
    inner = (
        "        h = torch.sigmoid(self.fc(x))\n        h.mul_(2)\n        return h\n"
        if planted
        else "        h = torch.sigmoid(self.fc(x))\n        return h * 2\n"
    )
    return f'''"""Layers, part {index}."""

import torch
import torch.nn as nn
import torch.nn.functional as F
{imports}

class Block{index}(nn.Module):
    def __init__(self, width={width}, dropout=0.1):
        super().__init__()
        self.fc = nn.Linear(width, width)
        self.norm = nn.LayerNorm(width)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
{inner}

def scale_{index}(x, factor=2.0):
    return F.relu(x) * factor


def make_{index}(width={width}):
    return Block{index}(width)
'''


def train_module(r: random.Random, index: int, layers: list[int], planted: list[int]) -> str:
    chosen = r.sample(layers, min(3, len(layers)))
    if index % 20 == 3 and planted:  # this script trains a block with the planted write
        chosen = [planted[-1], *[c for c in chosen if c != planted[-1]][:2]]
    imports = "".join(f"from pkg import layers_{c}\n" for c in chosen)
    first = chosen[0]
    return f'''"""Training script {index}."""

import torch
import torch.nn as nn
import torch.nn.functional as F
{imports}

def build():
    return nn.Sequential(layers_{first}.make_{first}(16), nn.Linear(16, 4))


def train(steps=3):
    model = layers_{first}.Block{first}(16)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for _ in range(steps):
        x = torch.randn(8, 16)
        out = layers_{first}.scale_{first}(model(x))
        loss = F.mse_loss(out, torch.zeros_like(out))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


if __name__ == "__main__":
    train()
'''


def generate_project(directory: Path, files: int, seed: int = 0) -> list[Path]:
    """``files`` modules under ``directory/pkg`` (about one training script in four)."""
    r = random.Random(seed)
    package = directory / "pkg"
    package.mkdir(parents=True)
    (directory / "pyproject.toml").write_text("[project]\nname = 'bench'\n")
    (package / "__init__.py").write_text('"""The package."""\n')
    paths: list[Path] = []
    layers: list[int] = []
    planted: list[int] = []
    for index in range(files - 1):
        if index % 4 == 3 and layers:
            text = train_module(r, index, layers, planted)
            name = f"train_{index}.py"
        else:
            text = layers_module(r, index, layers, planted=index % 20 == 0)
            layers.append(index)
            if index % 20 == 0:
                planted.append(index)
            name = f"layers_{index}.py"
        path = package / name
        path.write_text(text)
        paths.append(path)
    paths.append(package / "__init__.py")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,300,1000")
    parser.add_argument("--repeat", type=int, default=2, help="interleaved runs, best kept")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="autograd-lint-project-") as temporary:
            files = [str(p) for p in generate_project(Path(temporary), size, args.seed)]
            runs: dict[str, list[dict[str, Any]]] = {"parse": [], "follow": [], "alone": []}
            for _ in range(args.repeat):
                runs["parse"].append(measure(PARSE, files))
                runs["follow"].append(measure(CHECK, files, "follow"))
                runs["alone"].append(measure(CHECK, files, "alone"))
            for run in runs["follow"] + runs["alone"]:
                assert not run["errors"], run["errors"]
            best = {k: min(r["cpu"] for r in v) for k, v in runs.items()}
            found = len(runs["follow"][0]["findings"])
            alone = len(runs["alone"][0]["findings"])
            rows.append((size, best, found, alone))
    print(f"best of {args.repeat} interleaved runs, --jobs 1, fresh interpreter each;")
    print("CPU seconds of the measuring process (steadier than wall time on a shared machine)")
    print()
    header = f"{'files':>6}{'parse s':>9}{'check s':>9}{'ms/file':>9}{'/parse':>8}"
    header += f"{'alone s':>9}{'/alone':>8}{'per-file vs first':>19}  findings (alone)"
    print(header)
    first = rows[0][1]["follow"] / rows[0][0]
    for size, best, found, alone in rows:
        per_file = best["follow"] / size
        print(
            f"{size:>6}{best['parse']:>9.2f}{best['follow']:>9.2f}{per_file * 1000:>9.1f}"
            f"{best['follow'] / best['parse']:>8.2f}{best['alone']:>9.2f}"
            f"{best['follow'] / best['alone']:>8.2f}{per_file / first:>19.2f}"
            f"  {found} ({alone})"
        )


if __name__ == "__main__":
    main()
