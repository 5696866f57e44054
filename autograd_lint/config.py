"""Settings: ``[tool.autograd-lint]`` in pyproject.toml, merged with CLI flags or LSP settings.

The :class:`Settings` dataclass is what the core reads; how it is filled (file, flags,
editor) is the business of the functions below and of the faces that call them.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from autograd_lint.diagnostics import Severity

RuntimeCheckMode = Literal["off", "mini", "torch"]
DeviceChoice = Literal["cpu", "cuda", "auto"]


@dataclass(frozen=True)
class Settings:
    """Which rules run, how loud they are, and whether findings are replayed."""

    select: tuple[str, ...] = ()
    """Codes or code prefixes to enable; empty means every stable rule."""
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    runtime_check: RuntimeCheckMode = "off"
    device: DeviceChoice = "cpu"
    preview: bool = False
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()

    def merged(self, **changes: Any) -> Settings:
        """A copy with the given fields replaced (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def is_enabled(self, code: str, path: str | None = None) -> bool:
        """Whether ``code`` is reported for ``path`` under select / ignore / per-file-ignores."""
        if self.select and not _matches_any(code, self.select):
            return False
        if _matches_any(code, self.ignore):
            return False
        if path is not None:
            for pattern, codes in self.per_file_ignores.items():
                if _path_matches(path, pattern) and _matches_any(code, codes):
                    return False
        return True

    def severity_for(self, code: str, default: Severity) -> Severity:
        return self.severity.get(code, default)


def _matches_any(code: str, prefixes: tuple[str, ...]) -> bool:
    return any(p == "ALL" or code.startswith(p) for p in prefixes)


def _path_matches(path: str, pattern: str) -> bool:
    normalized = path.replace("\\", "/")
    return (
        fnmatch.fnmatch(normalized, pattern)
        or fnmatch.fnmatch(normalized, f"*/{pattern}")
        or normalized.endswith("/" + pattern)
    )
