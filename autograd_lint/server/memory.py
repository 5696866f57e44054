"""Memory the server holds: a result cache bounded by bytes, and handing freed memory back.

A lint result's size varies by orders of magnitude (a clean file, a 5 MB file with a
thousand findings and their fixes), so a cache capped by count can hold anything from
kilobytes to hundreds of megabytes. :class:`ResultCache` counts each entry by its pickled
size, a measure that follows every field of the result without listing them.

Freed memory does not leave the process by itself: glibc keeps the heap's top and reuses
freed chunks, so after a large document is closed the resident size stays at its peak.
:func:`release` collects garbage and asks glibc to return free pages (``malloc_trim``), where
that function exists; elsewhere it only collects.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import pickle
from collections import OrderedDict
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")

RESULT_CACHE_BYTES = 8 * 1024 * 1024
"""Pickled bytes of lint results kept for re-opened, saved or undone texts."""

RESULT_CACHE_ENTRIES = 64


def pickled_size(value: object) -> int:
    try:
        return len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # not picklable: count it as too large to keep
        return RESULT_CACHE_BYTES + 1


class ResultCache(Generic[K, V]):
    """Least recently used entries, at most ``max_bytes`` (pickled) and ``max_entries``.

    An entry larger than a quarter of the budget is not kept: it would push out everything
    else, and a result that large is that of a document whose next edit changes it anyway.
    """

    def __init__(
        self, max_bytes: int = RESULT_CACHE_BYTES, max_entries: int = RESULT_CACHE_ENTRIES
    ) -> None:
        self.max_bytes = max_bytes
        self.max_entries = max_entries
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        found = self._entries.get(key)
        if found is None:
            return None
        self._entries.move_to_end(key)
        return found[0]

    def put(self, key: K, value: V) -> bool:
        """Keep ``value``; False when it is too large to be kept."""
        size = pickled_size(value)
        self.pop(key)
        if size > self.max_bytes // 4:
            return False
        self._entries[key] = (value, size)
        self.bytes += size
        while self._entries and (
            self.bytes > self.max_bytes or len(self._entries) > self.max_entries
        ):
            _, (_, dropped) = self._entries.popitem(last=False)
            self.bytes -= dropped
        return True

    def pop(self, key: K) -> None:
        found = self._entries.pop(key, None)
        if found is not None:
            self.bytes -= found[1]

    def clear(self) -> None:
        self._entries.clear()
        self.bytes = 0


def _malloc_trim() -> ctypes._CFuncPtr | None:  # type: ignore[name-defined]
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        function = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return function


_TRIM = _malloc_trim()


def release() -> None:
    """Collect garbage and return free heap pages to the system (glibc only)."""
    gc.collect()
    if _TRIM is not None:
        try:
            _TRIM(0)
        except Exception:  # never let housekeeping fail a request
            log.debug("malloc_trim failed", exc_info=True)
