"""The real-world corpus: its files, their headers and their recorded ground truth.

Each snippet lives in ``<category>/<name>.py`` (category: a rule code such as AG002, or clean) and starts
with a header::

    # source: <public URL the code comes from>
    # expect: AG002            (comma-separated codes, or "clean")
    # pitfall: one line on what goes wrong

``truth.toml`` holds one table per file, keyed by its path relative to this folder.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent
TRUTH_PATH = ROOT / "truth.toml"
FLOORS_PATH = ROOT / "floors.toml"
CATEGORIES = tuple(
    sorted(d.name for d in ROOT.iterdir() if d.is_dir() and re.fullmatch(r"AG\d{3}", d.name))
)
"""One folder per rule code that has real snippets."""
CLEAN = "clean"
OUTCOMES = ("raises", "silent", "ok", "static")
"""``static``: a positive that runs to the end with nothing wrong to observe afterwards, only
a cost (AG014's anomaly mode slows every step); its ``check``, if any, must pass."""
HEADER_KEYS = ("source", "expect", "pitfall")


class CorpusError(Exception):
    """A corpus file or truth entry that does not have the required form."""


@dataclass(frozen=True)
class Snippet:
    path: Path
    category: str
    source_url: str
    expect: tuple[str, ...]
    pitfall: str

    @property
    def key(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    @property
    def is_clean(self) -> bool:
        return self.category == CLEAN


@dataclass(frozen=True)
class Truth:
    outcome: str
    error: str | None = None
    message: str | None = None
    check: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def parse_header(path: Path) -> Snippet:
    category = path.parent.name
    if category not in (*CATEGORIES, CLEAN):
        raise CorpusError(f"{path}: not in a category folder")
    found: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[:12]:
        stripped = line.strip()
        if not stripped.startswith("#"):
            continue
        body = stripped.lstrip("#").strip()
        key, sep, value = body.partition(":")
        if sep and key.strip() in HEADER_KEYS and key.strip() not in found:
            found[key.strip()] = value.strip()
    missing = [key for key in HEADER_KEYS if not found.get(key)]
    if missing:
        raise CorpusError(f"{path}: header lacks {', '.join(missing)}")
    if not found["source"].startswith("https://"):
        raise CorpusError(f"{path}: source is not a URL: {found['source']!r}")
    expect_text = found["expect"]
    if expect_text == CLEAN:
        expect: tuple[str, ...] = ()
        if category != CLEAN:
            raise CorpusError(f"{path}: expects clean but is filed under {category}")
    else:
        expect = tuple(code.strip() for code in expect_text.split(",") if code.strip())
        if not expect or any(not code.startswith("AG") for code in expect):
            raise CorpusError(f"{path}: bad expect line {expect_text!r}")
        if category == CLEAN:
            raise CorpusError(f"{path}: filed under clean but expects {expect_text}")
        if category not in expect:
            raise CorpusError(f"{path}: filed under {category} but expects {expect_text}")
    return Snippet(path, category, found["source"], expect, found["pitfall"])


def snippets() -> list[Snippet]:
    files = sorted(path for folder in (*CATEGORIES, CLEAN) for path in (ROOT / folder).glob("*.py"))
    return [parse_header(path) for path in files]


def load_truth() -> dict[str, Truth]:
    if not TRUTH_PATH.exists():
        return {}
    data = tomllib.loads(TRUTH_PATH.read_text(encoding="utf-8"))
    table: dict[str, Truth] = {}
    for key, entry in data.items():
        if not isinstance(entry, dict):
            raise CorpusError(f"truth.toml: {key} is not a table")
        outcome = entry.get("outcome")
        if outcome not in OUTCOMES:
            raise CorpusError(f"truth.toml: {key}: outcome must be one of {OUTCOMES}")
        known = {"outcome", "error", "message", "check"}
        truth = Truth(
            outcome=outcome,
            error=entry.get("error"),
            message=entry.get("message"),
            check=entry.get("check"),
            extra={k: v for k, v in entry.items() if k not in known},
        )
        if outcome == "raises" and not (truth.error and truth.message):
            raise CorpusError(f"truth.toml: {key}: a raising file needs error and message")
        if outcome == "silent" and not truth.check:
            raise CorpusError(f"truth.toml: {key}: a silent bug needs a check")
        table[key] = truth
    return table


def load_floors() -> dict[str, Any]:
    return tomllib.loads(FLOORS_PATH.read_text(encoding="utf-8"))
