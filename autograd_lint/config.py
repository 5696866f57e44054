"""Settings: ``[tool.autograd-lint]`` in pyproject.toml, merged with CLI flags or LSP settings.

The :class:`Settings` dataclass is what the core reads; how it is filled (file, flags,
editor) is the business of the functions below and of the faces that call them.
"""

from __future__ import annotations

import fnmatch
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, cast

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised only on Python 3.10
    import tomli as tomllib

from autograd_lint.codes import is_known_code, is_known_selector, known_codes
from autograd_lint.diagnostics import Severity

RuntimeCheckMode = Literal["off", "mini", "torch"]
DeviceChoice = Literal["cpu", "cuda", "auto"]


@dataclass(frozen=True)
class Settings:
    """Which rules run, how loud they are, and whether findings are replayed."""

    select: tuple[str, ...] = ()
    """Codes or code prefixes to enable; empty means every stable rule."""
    extend_select: tuple[str, ...] = ()
    """Enabled on top of ``select`` (or of the default set), as ruff's ``extend-select``."""
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    runtime_check: RuntimeCheckMode = "off"
    device: DeviceChoice = "cpu"
    preview: bool = False
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    """Apply ``exclude`` to files named explicitly too (pre-commit passes every staged file)."""
    follow_imports: bool = True
    """Follow imports of the project's own modules (off: every file is analysed alone)."""

    def merged(self, **changes: Any) -> Settings:
        """A copy with the given fields replaced (``None`` values are ignored)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def is_enabled(self, code: str, path: str | None = None) -> bool:
        """Whether ``code`` is reported for ``path`` under select / ignore / per-file-ignores."""
        if (
            self.select
            and not _matches_any(code, self.select)
            and not _matches_any(code, self.extend_select)
        ):
            return False
        if _matches_any(code, self.ignore):
            return False
        if path is not None:
            for pattern, codes in self.per_file_ignores.items():
                if _path_matches(path, pattern) and _matches_any(code, codes):
                    return False
        return True

    def selects_explicitly(self, code: str) -> bool:
        """Whether a selector names ``code`` (or a prefix of it): what turns on a rule that
        is off by default."""
        return (bool(self.select) and _matches_any(code, self.select)) or _matches_any(
            code, self.extend_select
        )

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


# --- loading ``[tool.autograd-lint]`` -------------------------------------------------------

TOOL_TABLE = "autograd-lint"
MISSPELT_TOOL_TABLE = "autograd_lint"
RUNTIME_CHECK_MODES: tuple[str, ...] = ("off", "mini", "torch")
DEVICE_CHOICES: tuple[str, ...] = ("cpu", "cuda", "auto")
CONFIGURABLE_SEVERITIES: tuple[str, ...] = ("error", "warning", "info")
KNOWN_KEYS: tuple[str, ...] = (
    "select",
    "extend-select",
    "ignore",
    "per-file-ignores",
    "severity",
    "runtime-check",
    "device",
    "preview",
    "exclude",
    "extend-exclude",
    "force-exclude",
    "follow-imports",
)
_CODE_SELECTOR = re.compile(r"^(ALL|[A-Z]+[0-9]*)$")


class ConfigError(Exception):
    """A configuration file that cannot be used as written; the message says where and why."""


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` with a ``[tool.autograd-lint]`` table.

    Like ruff, a pyproject.toml without our table does not stop the search: a monorepo's
    package may have its own pyproject.toml while the linter is configured at the top.
    """
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    for candidate_dir in (directory, *directory.parents):
        candidate = candidate_dir / "pyproject.toml"
        if candidate.is_file() and _may_configure(candidate):
            return candidate
    return None


def _may_configure(path: Path) -> bool:
    """Whether ``path`` is the file to load: it has our table, a misspelt one, or is broken.

    A broken or misspelt file is returned rather than skipped so that :func:`load_settings`
    reports it (file and line): skipping it would silently fall back to the defaults.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    except OSError:
        return False
    tool = data.get("tool")
    return isinstance(tool, dict) and (TOOL_TABLE in tool or MISSPELT_TOOL_TABLE in tool)


def load_settings(path: Path | None) -> Settings:
    """Read ``[tool.autograd-lint]`` from ``path``; ``None`` gives the defaults.

    A file whose top level has no ``tool`` table (an ``autograd-lint.toml``) is read as the
    table itself. Raises :class:`ConfigError` for unreadable files, unknown keys and bad values.
    """
    if path is None:
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot read configuration: {error}") from error
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from error
    tool = data.get("tool")
    if isinstance(tool, dict) and TOOL_TABLE in tool:
        table = tool[TOOL_TABLE]
        where = f"{path}: [tool.{TOOL_TABLE}]"
    elif isinstance(tool, dict) and MISSPELT_TOOL_TABLE in tool:
        raise ConfigError(
            f"{path}: [tool.{MISSPELT_TOOL_TABLE}] is not read; did you mean [tool.{TOOL_TABLE}]?"
        )
    elif path.name == "pyproject.toml":
        return Settings()
    else:
        table = data
        where = str(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    return settings_from_mapping(table, where)


def settings_from_mapping(table: Mapping[str, Any], where: str = "configuration") -> Settings:
    """Validate a ``[tool.autograd-lint]``-shaped mapping (kebab-case keys) into Settings.

    Shared by the file loader and any face that receives the same keys (editor settings).
    """
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(repr(k) for k in unknown)}; "
            f"valid keys are: {', '.join(KNOWN_KEYS)}"
        )
    changes: dict[str, Any] = {}
    if "select" in table:
        changes["select"] = _codes(table["select"], f"{where}: select")
    if "extend-select" in table:
        changes["extend_select"] = _codes(table["extend-select"], f"{where}: extend-select")
    if "ignore" in table:
        changes["ignore"] = _codes(table["ignore"], f"{where}: ignore")
    if "per-file-ignores" in table:
        changes["per_file_ignores"] = _per_file_ignores(table["per-file-ignores"], where)
    if "severity" in table:
        changes["severity"] = _severities(table["severity"], where)
    if "runtime-check" in table:
        changes["runtime_check"] = _choice(
            table["runtime-check"], RUNTIME_CHECK_MODES, f"{where}: runtime-check"
        )
    if "device" in table:
        changes["device"] = _choice(table["device"], DEVICE_CHOICES, f"{where}: device")
    for key in ("preview", "force-exclude", "follow-imports"):
        if key in table:
            if not isinstance(table[key], bool):
                raise ConfigError(f"{where}: {key} must be true or false, got {table[key]!r}")
            changes[key.replace("-", "_")] = table[key]
    for key in ("exclude", "extend-exclude"):
        if key in table:
            changes[key.replace("-", "_")] = _strings(table[key], f"{where}: {key}")
    return Settings(**changes)


def parse_code_list(text: str, what: str = "code list") -> tuple[str, ...]:
    """``"AG001,AG002"`` (a CLI flag) -> ``("AG001", "AG002")``, validated like the config."""
    return _codes([part.strip() for part in text.split(",") if part.strip()], what)


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{what} must be a list of strings, got {value!r}")
    return tuple(value)


def _codes(value: Any, what: str) -> tuple[str, ...]:
    codes = _strings(value, what)
    bad = [code for code in codes if not _CODE_SELECTOR.match(code)]
    if bad:
        raise ConfigError(
            f"{what}: {', '.join(repr(b) for b in bad)} is not a rule code or prefix "
            "(expected e.g. 'AG001', 'AG' or 'ALL')"
        )
    unknown = [code for code in codes if not is_known_selector(code)]
    if unknown:
        raise ConfigError(
            f"{what}: unknown rule selector {', '.join(repr(u) for u in unknown)} "
            f"(matches no rule; known codes: {', '.join(known_codes())})"
        )
    return codes


def _choice(value: Any, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise ConfigError(f"{what} must be one of {', '.join(allowed)}; got {value!r}")
    return cast(str, value)


def _per_file_ignores(value: Any, where: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: per-file-ignores must be a table of pattern = [codes]")
    return {
        pattern: _codes(codes, f"{where}: per-file-ignores[{pattern!r}]")
        for pattern, codes in value.items()
    }


def _severities(value: Any, where: str) -> dict[str, Severity]:
    if not isinstance(value, dict):
        raise ConfigError(f'{where}: severity must be a table of code = "error"|"warning"|"info"')
    result: dict[str, Severity] = {}
    for code, level in value.items():
        if not re.match(r"^[A-Z]+[0-9]+$", code):
            raise ConfigError(f"{where}: severity: {code!r} is not a rule code (e.g. 'AG001')")
        if not is_known_code(code):
            raise ConfigError(
                f"{where}: severity: unknown rule code {code!r} "
                f"(known codes: {', '.join(known_codes())})"
            )
        result[code] = Severity(
            _choice(level, CONFIGURABLE_SEVERITIES, f"{where}: severity.{code}")
        )
    return result
