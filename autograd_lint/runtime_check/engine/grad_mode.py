"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled`` and ``inference_mode``.

Each is a context manager and a decorator (with or without parentheses), as in torch, because
witness scripts use every spelling. The state is process-global: witnesses are single-threaded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _State:
    grad_enabled: bool = True
    inference: bool = False


STATE = _State()


def is_grad_enabled() -> bool:
    """Whether operations are recorded in the graph now."""
    return STATE.grad_enabled


def is_inference_mode_enabled() -> bool:
    return STATE.inference


class _Mode:
    """Base: remembers the state on entry, sets its own, restores on exit; also decorates."""

    _grad: bool | None = None
    _inference: bool | None = None

    def __init__(self) -> None:
        self._saved: list[tuple[bool, bool]] = []

    def __enter__(self) -> None:
        self._saved.append((STATE.grad_enabled, STATE.inference))
        if self._grad is not None:
            STATE.grad_enabled = self._grad
        if self._inference is not None:
            STATE.inference = self._inference

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        STATE.grad_enabled, STATE.inference = self._saved.pop()

    def clone(self) -> _Mode:
        return type(self)()

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _NoParamMode(_Mode):
    """A mode that may decorate without parentheses: ``@torch.no_grad``."""

    def __new__(cls, orig_func: Callable[..., Any] | None = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_NoParamMode):
    """Operations inside are not recorded; results do not require grad."""

    _grad = False


class enable_grad(_NoParamMode):
    """Re-enables recording inside a ``no_grad`` block."""

    _grad = True


class set_grad_enabled(_Mode):
    """Sets grad mode at construction (so a bare call works) and restores it on exit."""

    def __init__(self, mode: bool) -> None:
        super().__init__()
        self.mode = bool(mode)
        self._prev = STATE.grad_enabled
        STATE.grad_enabled = self.mode

    def __enter__(self) -> None:
        self._saved.append((self._prev, STATE.inference))
        STATE.grad_enabled = self.mode

    def __call__(self, func: F) -> F:
        STATE.grad_enabled = self._prev  # as a decorator it must not change the mode now
        return super().__call__(func)

    def clone(self) -> _Mode:
        prev = STATE.grad_enabled
        clone = set_grad_enabled(self.mode)
        STATE.grad_enabled = prev
        clone._prev = prev
        return clone


class inference_mode(_Mode):
    """No recording, and tensors created inside are inference tensors (checked later)."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        super().__init__()
        self.mode = bool(mode)
        self._grad = False if self.mode else None
        self._inference = self.mode

    def clone(self) -> _Mode:
        return inference_mode(self.mode)
