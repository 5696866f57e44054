"""The engine's random numbers: a seeded, counter-based generator on plain numpy arrays.

Why not ``numpy.random``: importing it costs more than the rest of the engine together
(it pulls in ``secrets``, ``hmac`` and ``hashlib``), and a witness never depends on the
values it draws, only on their shapes and dtypes. Torch's stream is not reproduced either
way. What matters is that a seed gives the same numbers every time, so a replay is
deterministic.

Each draw hashes a running counter with SplitMix64 (Steele, Lea and Flood, 2014), a
well-mixed 64-bit finaliser; normals come from the Box-Muller transform.
"""

from __future__ import annotations

import math

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_MASK64 = (1 << 64) - 1


def _splitmix(counters: np.ndarray) -> np.ndarray:
    """64 well-mixed bits per counter (uint64 arithmetic wraps, as the algorithm wants)."""
    z = counters * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


class Generator:
    """Draws arrays of a given shape; the same seed gives the same sequence of draws."""

    def __init__(self, seed: int = 0) -> None:
        self._next = (int(seed) * 0x2545F4914F6CDD1D + 1) & _MASK64

    def _bits(self, count: int) -> np.ndarray:
        start = self._next
        self._next = (start + count) & _MASK64
        return _splitmix(np.arange(count, dtype=np.uint64) + np.uint64(start))

    def random(self, shape: tuple[int, ...]) -> np.ndarray:
        """Uniform floats in [0, 1) with 53 random bits each."""
        count = math.prod(shape)
        return ((self._bits(count) >> np.uint64(11)) * (1.0 / (1 << 53))).reshape(shape)

    def uniform(self, low: float, high: float, shape: tuple[int, ...]) -> np.ndarray:
        return low + (high - low) * self.random(shape)

    def standard_normal(self, shape: tuple[int, ...]) -> np.ndarray:
        count = math.prod(shape)
        radius = np.sqrt(-2.0 * np.log1p(-self.random((count,))))  # 1 - u lies in (0, 1]
        angle = (2.0 * np.pi) * self.random((count,))
        return (radius * np.cos(angle)).reshape(shape)

    def normal(self, mean: float, std: float, shape: tuple[int, ...]) -> np.ndarray:
        return mean + std * self.standard_normal(shape)

    def integers(self, low: int, high: int, shape: tuple[int, ...]) -> np.ndarray:
        """Integers in [low, high) (int64); the modulo bias is negligible for witness sizes."""
        if high <= low:
            raise RuntimeError(
                f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            )
        count = math.prod(shape)
        span = np.uint64(high - low)
        return ((self._bits(count) % span).astype(np.int64) + low).reshape(shape)
