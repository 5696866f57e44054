"""Prove findings by replaying their witnesses: on the mini engine (default) or on torch.

Public API::

    confirm(witness, backend="mini", device="cpu", timeout_s=10.0, memory_mb=1024) -> Confirmation
    confirm_many(witnesses, backend, device, timeout_s, memory_mb) -> list[Confirmation]
    available_backends() -> list[str]

The names are loaded on first use: the sandbox child imports this package (to reach the
engine) and must not pay for the parent-side machinery (subprocess, tempfile, the judge).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from autograd_lint.runtime_check.replay import available_backends, confirm, confirm_many

__all__ = ["available_backends", "confirm", "confirm_many"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from autograd_lint.runtime_check import replay

        return getattr(replay, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
