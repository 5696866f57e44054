"""Background replay of witnesses, so a finding can say it was confirmed.

Replays are slow (a sandboxed process each), so they run in their own thread, one at a time,
and their verdicts are cached per (witness, backend, device): typing elsewhere in a file
does not replay the same witness again. The runtime check is imported only when first
needed, and when it is absent the server simply never confirms.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from autograd_lint.diagnostics import Confirmation, Witness

log = logging.getLogger(__name__)

CACHE_SIZE = 512


class ConfirmFunction(Protocol):
    def __call__(self, witness: Witness, backend: str, device: str) -> Confirmation: ...


def load_confirm() -> ConfirmFunction | None:
    """``autograd_lint.runtime_check.confirm``, or ``None`` when it is not available."""
    try:
        from autograd_lint.runtime_check import confirm
    except ImportError:
        return None
    function: Any = confirm
    return function if callable(function) else None


class Confirmer:
    """Replays witnesses off the event loop and remembers the verdicts."""

    def __init__(self, loader: Callable[[], ConfirmFunction | None] = load_confirm) -> None:
        self._loader = loader
        self._confirm: ConfirmFunction | None = None
        self._loaded = False
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[Witness, str, str], Confirmation] = OrderedDict()
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="autograd-confirm")

    def _function(self) -> ConfirmFunction | None:
        with self._lock:
            if not self._loaded:
                self._confirm = self._loader()
                self._loaded = True
            return self._confirm

    def available(self) -> bool:
        return self._function() is not None

    def cached(self, witness: Witness, backend: str, device: str) -> Confirmation | None:
        with self._lock:
            return self._cache.get((witness, backend, device))

    def confirm_one(self, witness: Witness, backend: str, device: str) -> Confirmation | None:
        """Replay one witness (blocking); ``None`` when there is no runtime check."""
        cached = self.cached(witness, backend, device)
        if cached is not None:
            return cached
        function = self._function()
        if function is None:
            return None
        try:
            verdict = function(witness, backend, device)
        except Exception as error:  # a replay failure must never take the server down
            log.exception("runtime check failed")
            verdict = Confirmation(
                "not_replayable", backend, device, f"runtime check failed: {error}"
            )
        with self._lock:
            self._cache[(witness, backend, device)] = verdict
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return verdict

    def confirm_many(
        self,
        witnesses: Sequence[tuple[int, Witness]],
        backend: str,
        device: str,
        still_wanted: Callable[[], bool],
    ) -> dict[int, Confirmation]:
        """Replay several (blocking); stops early once the document has changed."""
        verdicts: dict[int, Confirmation] = {}
        for index, witness in witnesses:
            if not still_wanted():
                break
            verdict = self.confirm_one(witness, backend, device)
            if verdict is None:
                break
            verdicts[index] = verdict
        return verdicts

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
