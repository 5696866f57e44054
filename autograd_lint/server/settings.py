"""What the language server lints with: project configuration overlaid by editor settings.

Order of precedence (lowest first): built-in defaults, ``[tool.autograd-lint]`` of the nearest
pyproject.toml, then the editor's settings (initializationOptions or
``workspace/didChangeConfiguration``). The editor wins because it is what the person sitting
in front of the code changed last. Values are validated by the same code that validates the
pyproject table (:func:`autograd_lint.config.settings_from_mapping`), so a rule selector means
the same thing everywhere.

One difference from the CLI: the server replays witnesses with the mini engine unless told
otherwise, because confirmation runs in the background and the editor never waits for it.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from autograd_lint.config import (
    TOOL_TABLE,
    ConfigError,
    RuntimeCheckMode,
    Settings,
    find_pyproject,
    load_settings,
    settings_from_mapping,
)
from autograd_lint.discovery import Discovery

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

log = logging.getLogger(__name__)

SECTION = "autograd-lint"
"""The key editors nest our settings under (``{"autograd-lint": {...}}``)."""
DEFAULT_DEBOUNCE_MS = 75
"""Quiet time after the last keystroke before a document is linted, when the edit came while
a lint of it was still to come (a burst); an edit of a document whose results are shown is
linted at once."""
MAX_DEBOUNCE_MS = 10_000
SERVER_RUNTIME_CHECK: RuntimeCheckMode = "mini"

_EDITOR_KEYS: dict[str, str] = {
    # editor (camelCase) key -> pyproject (kebab-case) key
    "select": "select",
    "ignore": "ignore",
    "severity": "severity",
    "runtimeCheck": "runtime-check",
    "runtime-check": "runtime-check",
    "device": "device",
    "preview": "preview",
    "perFileIgnores": "per-file-ignores",
    "per-file-ignores": "per-file-ignores",
}
_FIELD_OF_KEY = {
    "select": "select",
    "ignore": "ignore",
    "severity": "severity",
    "runtime-check": "runtime_check",
    "device": "device",
    "preview": "preview",
    "per-file-ignores": "per_file_ignores",
}


@dataclass(frozen=True)
class EditorSettings:
    """Settings the editor sent, already validated; ``overrides`` holds only what it set."""

    overrides: dict[str, Any] = field(default_factory=dict)
    """Settings field name -> value, for the fields the editor set."""
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    problems: tuple[str, ...] = ()
    """Messages about values that were ignored, to show to the user."""
    inlay_hints: bool = False
    """``inlayHints``: show each bound tensor's autograd facts inline (off by default: they
    take room on every assignment)."""


@dataclass(frozen=True)
class DocumentSettings:
    """The effective settings for one document."""

    lint: Settings
    debounce_ms: int
    config_path: Path | None = None
    excluded: bool = False
    """The project's ``exclude`` patterns match the document: it gets no diagnostics."""

    @property
    def key(self) -> str:
        """A stable fingerprint, part of the lint cache key."""
        return repr((self.lint, self.excluded))


def parse_editor_settings(raw: Any) -> EditorSettings:
    """Read settings sent by an editor, nested under ``"autograd-lint"`` or at the top level.

    Bad values are dropped one by one (with a message) rather than rejecting everything:
    a typo in one setting should not switch the linter off.
    """
    if not isinstance(raw, Mapping):
        return EditorSettings()
    section = raw.get(SECTION)
    table: Mapping[str, Any] = section if isinstance(section, Mapping) else raw
    overrides: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in table.items():
        if value is None:
            continue
        config_key = _EDITOR_KEYS.get(key)
        if config_key is None:
            continue
        if config_key in ("select", "ignore") and isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        try:
            parsed = settings_from_mapping({config_key: value}, f"editor setting {key!r}")
        except ConfigError as error:
            problems.append(str(error))
            continue
        name = _FIELD_OF_KEY[config_key]
        overrides[name] = getattr(parsed, name)
    debounce = DEFAULT_DEBOUNCE_MS
    raw_debounce = table.get("debounceMs", table.get("debounce-ms"))
    if raw_debounce is not None:
        if isinstance(raw_debounce, (int, float)) and not isinstance(raw_debounce, bool):
            debounce = max(0, min(int(raw_debounce), MAX_DEBOUNCE_MS))
        else:
            problems.append(f"editor setting 'debounceMs' must be a number, got {raw_debounce!r}")
    hints = table.get("inlayHints", table.get("inlay-hints", False))
    if not isinstance(hints, bool):
        problems.append(f"editor setting 'inlayHints' must be true or false, got {hints!r}")
        hints = False
    return EditorSettings(overrides, debounce, tuple(problems), hints)


class ProjectSettings:
    """``[tool.autograd-lint]`` lookups for document paths, cached by file and mtime.

    Thread-safe: documents are resolved from the event loop and from worker threads.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._found: dict[Path, Path | None] = {}
        self._loaded: dict[Path, tuple[float, Settings, bool]] = {}
        self.problems: list[str] = []

    def clear(self) -> None:
        with self._lock:
            self._found.clear()
            self._loaded.clear()

    def for_path(self, path: str | None, fallback_dir: str | None) -> tuple[Settings, Path | None]:
        """Project settings for a document, with the server's runtime-check default applied."""
        start = _start_dir(path, fallback_dir)
        if start is None:
            return Settings(runtime_check=SERVER_RUNTIME_CHECK), None
        with self._lock:
            if start not in self._found:
                self._found[start] = find_pyproject(start)
            config = self._found[start]
        if config is None:
            return Settings(runtime_check=SERVER_RUNTIME_CHECK), None
        return self._load(config), config

    def _load(self, config: Path) -> Settings:
        try:
            mtime = config.stat().st_mtime
        except OSError:
            return Settings(runtime_check=SERVER_RUNTIME_CHECK)
        with self._lock:
            cached = self._loaded.get(config)
        if cached is not None and cached[0] == mtime:
            settings, sets_runtime = cached[1], cached[2]
        else:
            try:
                settings = load_settings(config)
                sets_runtime = _sets_runtime_check(config)
            except ConfigError as error:
                log.warning("%s", error)
                self.problems.append(str(error))
                settings, sets_runtime = Settings(), False
            with self._lock:
                self._loaded[config] = (mtime, settings, sets_runtime)
        if sets_runtime:
            return settings
        return settings.merged(runtime_check=SERVER_RUNTIME_CHECK)


def _sets_runtime_check(config: Path) -> bool:
    """Whether the project chose a runtime-check mode (so the server default must not apply).

    Only the key's presence is read here; its value was validated by the shared loader.
    """
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    tool = data.get("tool", {})
    table = tool.get(TOOL_TABLE, {}) if isinstance(tool, dict) else {}
    return isinstance(table, dict) and "runtime-check" in table


def _start_dir(path: str | None, fallback_dir: str | None) -> Path | None:
    for candidate in (path, fallback_dir):
        if not candidate:
            continue
        p = Path(candidate)
        if p.is_dir():
            return p.resolve()
        if p.parent.is_dir():
            return p.parent.resolve()
    return None


def effective(
    project: Settings,
    editor: EditorSettings,
    config: Path | None,
    path: str | None = None,
    workspace_root: str | None = None,
) -> DocumentSettings:
    """Editor overrides applied over the project settings; whether ``path`` is excluded.

    Exclusion is as ``check --force-exclude`` decides it, with patterns relative to the
    configuration file's directory (else the workspace root): an editor opens files one by
    one, and vendored or generated code the project excludes should stay quiet there too.
    """
    valid = {f.name for f in fields(Settings)}
    changes = {k: v for k, v in editor.overrides.items() if k in valid}
    lint = project.merged(**changes)
    base = config.parent if config is not None else workspace_root
    excluded = bool(
        path and base and Discovery(lint, Path(base)).is_excluded(Path(path), is_dir=False)
    )
    return DocumentSettings(lint, editor.debounce_ms, config, excluded)
