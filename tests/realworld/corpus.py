"""The real-world corpus: its files, their headers and their recorded ground truth.

Each snippet lives in ``<category>/<name>.py`` (category: a rule code such as AG002, or clean) and starts
with a header::

    # source: <public URL the code comes from>
    # expect: AG002            (comma-separated codes, or "clean")
    # pitfall: one line on what goes wrong

A snippet whose bug crosses modules (a model in one file, the training loop in another) is a
folder ``<category>/<name>/`` instead: ``main.py`` is the entry point and carries the header,
the other ``.py`` files are the modules it imports by plain ``import`` from its own folder, as
the source project has them. It is scored as one snippet (its files' findings together) and
run as one program.

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
ENTRY = "main.py"
"""The entry point (and header) of a snippet folder."""


class CorpusError(Exception):
    """A corpus file or truth entry that does not have the required form."""


@dataclass(frozen=True)
class Snippet:
    path: Path
    """The file, or for a multi-file snippet its folder."""
    category: str
    source_url: str
    expect: tuple[str, ...]
    pitfall: str

    @property
    def key(self) -> str:
        """``<category>/<name>``: the path below the corpus folder that holds the category."""
        return self.path.relative_to(self.path.parent.parent).as_posix()

    @property
    def is_folder(self) -> bool:
        return self.path.is_dir()

    @property
    def entry(self) -> Path:
        """The file that is run (and carries the header)."""
        return self.path / ENTRY if self.is_folder else self.path

    @property
    def files(self) -> list[Path]:
        """Every file of the snippet, the entry first."""
        if not self.is_folder:
            return [self.path]
        others = sorted(p for p in self.path.glob("*.py") if p.name != ENTRY)
        return [self.entry, *others]

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
    """The snippet at ``path``: a ``.py`` file, or a folder whose ``main.py`` has the header."""
    category = path.parent.name
    if category not in (*CATEGORIES, CLEAN):
        raise CorpusError(f"{path}: not in a category folder")
    header_file = path / ENTRY if path.is_dir() else path
    if not header_file.is_file():
        raise CorpusError(f"{path}: a snippet folder needs its {ENTRY}")
    if path.is_dir() and len(list(path.glob("*.py"))) < 2:
        raise CorpusError(f"{path}: a snippet folder holds at least two modules")
    found: dict[str, str] = {}
    for line in header_file.read_text(encoding="utf-8").splitlines()[:12]:
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


def snippets(root: Path = ROOT) -> list[Snippet]:
    """Every snippet under ``root``: the ``.py`` files and the folders of each category."""
    found = sorted(
        path
        for folder in (*CATEGORIES, CLEAN)
        if (root / folder).is_dir()
        for path in (root / folder).iterdir()
        if (path.suffix == ".py" and path.is_file())
        or (path.is_dir() and not path.name.startswith((".", "__")))
    )
    return [parse_header(path) for path in found]


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
