"""``torch.nn.functional``: every registry op marked ``functional``."""

from __future__ import annotations

from typing import Any

from ..methods import FUNCTIONAL, bind

if not FUNCTIONAL:
    bind()

globals().update(FUNCTIONAL)


def __getattr__(name: str) -> Any:
    raise AttributeError(f"module 'torch.nn.functional' has no attribute '{name}'")
