"""Random constructors: torch's autograd facts and errors, reproducible draws, no numpy.random."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from autograd_lint.runtime_check import engine
from autograd_lint.runtime_check.engine.rng import Generator

RANDOM_CALLS = [
    "randn(2, 3)",
    "randn((4,), requires_grad=True)",
    "rand(3, requires_grad=True)",
    "rand(2, 2, dtype=torch.float64)",
    "randint(0, 5, (3, 2))",
    "randint(7, (4,))",
    "randint(0, 3, (2,), dtype=torch.float32)",
    "randn_like(torch.zeros(2, 3))",
    "rand_like(torch.ones(3), requires_grad=True)",
    "zeros(3).normal_()",
    "zeros(2, 2).uniform_(-1, 1)",
]


def _facts(torch: object, call: str) -> tuple[object, ...]:
    t = eval(f"torch.{call}", {"torch": torch})
    return (tuple(t.shape), str(t.dtype), t.requires_grad, t.is_leaf, type(t.grad_fn).__name__)


@pytest.mark.parametrize("call", RANDOM_CALLS)
def test_random_constructors_match_torch_facts(call: str) -> None:
    torch = pytest.importorskip("torch")
    assert _facts(engine, call) == _facts(torch, call)


@pytest.mark.parametrize(
    "call",
    [
        "randint(3, 3, (2,))",
        "randint(4, 2, (2,))",
        "randint(0, 3, (2,), requires_grad=True)",
        "randn(2, dtype=torch.int64)",
        "rand(2, dtype=torch.int32)",
        "randn_like(torch.zeros(2, dtype=torch.int64))",
        "zeros(2, dtype=torch.int64).normal_()",
        "zeros(2, dtype=torch.uint8).uniform_()",
    ],
)
def test_random_constructor_errors_match_torch(call: str) -> None:
    torch = pytest.importorskip("torch")
    outcomes = []
    for backend in (engine, torch):
        with pytest.raises(Exception) as caught:
            eval(f"torch.{call}", {"torch": backend})
        outcomes.append((caught.type.__name__, str(caught.value).splitlines()[0]))
    assert outcomes[0] == outcomes[1]


def test_manual_seed_makes_draws_reproducible() -> None:
    engine.manual_seed(3)
    first = [engine.randn(4).tolist(), engine.rand(2).tolist(), engine.randint(9, (3,)).tolist()]
    engine.manual_seed(3)
    again = [engine.randn(4).tolist(), engine.rand(2).tolist(), engine.randint(9, (3,)).tolist()]
    engine.manual_seed(4)
    other = [engine.randn(4).tolist(), engine.rand(2).tolist(), engine.randint(9, (3,)).tolist()]
    assert first == again
    assert first != other
    assert first[0] != engine.randn(4).tolist()  # the stream moves on


def test_distributions_have_the_expected_shape_and_moments() -> None:
    rng = Generator(11)
    normal = rng.standard_normal((200_000,))
    assert abs(normal.mean()) < 0.01 and abs(normal.std() - 1.0) < 0.01
    uniform = rng.random((200_000,))
    assert uniform.min() >= 0.0 and uniform.max() < 1.0
    assert abs(uniform.mean() - 0.5) < 0.005
    scaled = rng.uniform(-2.0, 3.0, (1000,))
    assert scaled.min() >= -2.0 and scaled.max() < 3.0
    shifted = rng.normal(5.0, 0.5, (50_000,))
    assert abs(shifted.mean() - 5.0) < 0.01 and abs(shifted.std() - 0.5) < 0.01
    counts = np.bincount(rng.integers(-3, 4, (70_000,)) + 3)
    assert len(counts) == 7 and counts.min() > 9_000  # every value drawn, about evenly
    assert rng.random(()).shape == () and rng.standard_normal((0, 3)).shape == (0, 3)


def test_engine_import_leaves_numpy_random_unloaded() -> None:
    """numpy.random would double the engine's import time, the bulk of a cold replay."""
    code = (
        "import sys\n"
        "from autograd_lint.runtime_check import engine\n"
        "engine.manual_seed(0)\n"
        "engine.nn.Linear(3, 2)(engine.randn(4, 3)).sum().backward()\n"
        "engine.randint(5, (2,)); engine.zeros(3).normal_()\n"
        "print('numpy.random' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
