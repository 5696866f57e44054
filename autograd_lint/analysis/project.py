"""The project a file belongs to: where its own imports lead, and those modules parsed once.

``from .models import Net``, ``import utils`` and ``from pkg.sub import f`` are resolved the
way Python would find them when the project runs from its root or as a script: relative
imports from the importer's package, absolute ones from the importer's folder, then each
folder above it up to the project root. Only files inside the root are ever read; ``torch``
and its family are never looked up (their names mean the library, whatever the tree holds).

The root is the nearest folder above a file holding ``pyproject.toml``, ``setup.py``,
``setup.cfg`` or ``.git``; in the language server the search stops at the workspace folder,
which is the root when nothing below it is marked. A file outside any project resolves
imports from its own folder only.

Parsed modules are kept per process, keyed by path and checked against the file's size and
modification time, so a project is parsed once however many files import a module; the
language server lays its open (unsaved) documents over the disk.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from autograd_lint.analysis.positions import Positions
from autograd_lint.diagnostics import Range

ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", ".git")
LIBRARY_PACKAGES = frozenset({"torch", "torchvision", "torchaudio", "torchtext", "numpy"})
"""Top-level names that always mean the library (the analysis models their API)."""
MAX_PARSED_MODULES = 256
"""Parsed modules kept per project (least recently used dropped first): a parse tree holds
hundreds of bytes per character, and a big project's files each import a few modules."""
MAX_MODULE_BYTES = 2 * 1024 * 1024
"""An imported module larger than this is not followed (its names stay unknown)."""


@dataclass(eq=False)
class ForeignModule:
    """A module of the project other than the file being analysed, parsed."""

    path: str
    """Absolute path."""
    display: str
    """The path as messages show it (relative to the project root)."""
    source: str
    module: cst.Module
    digest: str
    """SHA-256 of its text: the result cache and the server's invalidation compare it."""
    _positions: Positions | None = field(default=None, repr=False)

    def range_of(self, node: cst.CSTNode, owner: cst.CSTNode | None) -> Range:
        """Where ``node`` (of statement ``owner``) is in this module."""
        if self._positions is None:
            self._positions = Positions(self.module, self.source)
        return self._positions.range(node, owner)


_TOP_IMPORT = re.compile(
    r"^(?:from[ \t]+(\.*)[ \t]*([\w.]*)[ \t]+import\b|import[ \t]+([\w., \t]+))", re.MULTILINE
)
"""An import statement in column 0 (one that runs when its module is imported)."""
_GRAD_MODE_CALL = re.compile(r"^([ \t]*)[\w.]*set_grad_enabled[ \t]*\(", re.MULTILINE)
"""A line that calls ``torch.set_grad_enabled(...)``."""
_NOT_RUN_AT_IMPORT = re.compile(r"(?:async[ \t]+)?def\b|class\b|@|if[ \t]+__name__\b")
"""Column-0 lines whose block does not run when the module is imported (a definition, the
main block)."""


def _sets_grad_mode_at_import(text: str) -> bool:
    """Whether ``set_grad_enabled`` is called where importing the module runs it: in column
    0, or in a top-level block (``if EVAL:``, ``try:``) that is not a definition or the main
    block. Read from the text: the owning block is the last column-0 line above the call."""
    for match in _GRAD_MODE_CALL.finditer(text):
        if not match.group(1):
            return True
        end = match.start()
        while end > 0:
            start = text.rfind("\n", 0, end - 1) + 1
            line = text[start:end]
            if line[:1] not in ("", " ", "\t", "#", "\n", "\r", ")", "]", "}"):
                if not _NOT_RUN_AT_IMPORT.match(line):
                    return True
                break
            end = start
    return False


Overlay = Callable[[str], str | None]
"""Text of an open, possibly unsaved document by absolute path (``None``: read the disk)."""


class Project:
    """The tree under ``root`` and the modules of it parsed so far."""

    def __init__(self, root: str | os.PathLike[str], overlay: Overlay | None = None) -> None:
        self.root = os.path.abspath(root)
        self.overlay = overlay
        self._parsed: OrderedDict[str, tuple[tuple[int, int] | str, ForeignModule | None]] = (
            OrderedDict()
        )
        self._scans: dict[str, tuple[tuple[int, int] | str, bool, tuple[str, ...]]] = {}
        self.runs: dict[str, object] = {}
        """Top-level runs of modules that only define things, by path, for every importer
        (:class:`~autograd_lint.analysis.imports.ModuleRun`)."""

    def inside(self, path: str) -> bool:
        return folder_holds(self.root, path)

    def resolve(
        self, importer: str, module: str, level: int, tried: list[str] | None = None
    ) -> str | None:
        """The file ``import module`` (``level`` leading dots) names from ``importer``, if
        it is in the project: ``pkg/sub.py`` or ``pkg/sub/__init__.py``. The files looked
        for in vain before it are added to ``tried``: one appearing later changes what the
        import means."""
        parts = [p for p in module.split(".") if p] if module else []
        folder = os.path.dirname(os.path.abspath(importer))
        if level:
            for _ in range(level - 1):
                folder = os.path.dirname(folder)
            candidates = [folder]
        else:
            if not parts or parts[0] in LIBRARY_PACKAGES:
                return None
            candidates = []
            current = folder
            while self.inside(current):
                candidates.append(current)
                if current == self.root:
                    break
                parent = os.path.dirname(current)
                if parent == current:
                    break
                current = parent
        for base in candidates:
            found = _module_file(base, parts)
            if found is not None and self.inside(found):
                return found
            if tried is not None:
                tried.extend(_module_candidates(base, parts))
        return None

    def load(self, path: str) -> ForeignModule | None:
        """The parsed module at ``path``; ``None`` if it cannot be read or parsed."""
        overlaid = self.overlay(path) if self.overlay is not None else None
        stamp: tuple[int, int] | str
        if overlaid is not None:
            stamp = digest_of(overlaid)
        else:
            try:
                info = os.stat(path)
            except OSError:
                return None
            if info.st_size > MAX_MODULE_BYTES:
                return None
            stamp = (info.st_size, info.st_mtime_ns)
        known = self._parsed.get(path)
        if known is not None and known[0] == stamp:
            self._parsed.move_to_end(path)
            return known[1]
        loaded = _parse(path, self.display(path), overlaid)
        self._parsed[path] = (stamp, loaded)
        self._parsed.move_to_end(path)
        while len(self._parsed) > MAX_PARSED_MODULES:  # the least recently used go first
            evicted, _ = self._parsed.popitem(last=False)
            self.runs.pop(evicted, None)
        return loaded

    def import_scan(self, path: str) -> tuple[bool, tuple[str, ...]] | None:
        """Whether the module at ``path`` calls ``set_grad_enabled`` at its top level, and
        the project files its top-level imports name: read, not parsed, and kept under the
        file's size and modification time (asked for every module an import may lead to)."""
        text = self.overlay(path) if self.overlay is not None else None
        stamp: tuple[int, int] | str
        if text is not None:
            stamp = digest_of(text)
        else:
            try:
                info = os.stat(path)
            except OSError:
                return None
            stamp = (info.st_size, info.st_mtime_ns)
        known = self._scans.get(path)
        if known is not None and known[0] == stamp:
            return known[1], known[2]
        if text is None:
            try:
                with open(path, "rb") as handle:
                    text = handle.read(MAX_MODULE_BYTES + 1).decode("utf-8-sig", "replace")
            except OSError:
                return None
        imported: list[str] = []
        for match in _TOP_IMPORT.finditer(text):
            if match.group(3) is not None:
                specs = [(name.split()[0], 0) for name in match.group(3).split(",") if name.split()]
            else:
                specs = [(match.group(2), len(match.group(1)))]
            for module, level in specs:
                found = self.resolve(path, module, level)
                if found is not None:
                    imported.append(found)
        if len(self._scans) >= 4 * MAX_PARSED_MODULES:
            self._scans.clear()
        sets_grad_mode = _sets_grad_mode_at_import(text)
        self._scans[path] = (stamp, sets_grad_mode, tuple(imported))
        return sets_grad_mode, tuple(imported)

    def display(self, path: str) -> str:
        try:
            return Path(os.path.relpath(path, self.root)).as_posix()
        except ValueError:
            return path


def digest_of(text: str) -> str:
    """The digest a module's text is known by (results that read it record it)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def file_digest(path: str) -> str | None:
    """:func:`digest_of` the file's text as the analysis would read it; ``None`` if it cannot
    be read (then nothing that read it before still holds).

    Kept per file under its size, modification time and inode, as parsed modules are: the
    language server asks on every keystroke and every cached result it reuses.
    """
    try:
        info = os.stat(path)
    except OSError:
        return None
    stamp = (info.st_size, info.st_mtime_ns, info.st_ino)
    known = _disk_digests.get(path)
    if known is not None and known[0] == stamp:
        return known[1]
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_MODULE_BYTES + 1)
        digest: str | None = digest_of(data.decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        digest = None
    if len(_disk_digests) >= 1024:
        _disk_digests.clear()
    _disk_digests[path] = (stamp, digest)
    return digest


_disk_digests: dict[str, tuple[tuple[int, int, int], str | None]] = {}


ABSENT = "absent"
"""The digest recorded for a module file an import looked for and did not find."""


def dependencies_unchanged(
    dependencies: Iterable[tuple[str, str]], overlay: Overlay | None = None
) -> bool:
    """Every module a result recorded reading (path, digest) still has that text (an open,
    unsaved document's text where ``overlay`` has one), and every file recorded
    :data:`ABSENT` is still not there."""
    for path, digest in dependencies:
        text = overlay(path) if overlay is not None else None
        if digest == ABSENT:
            if text is not None or os.path.isfile(path):
                return False
        elif (digest_of(text) if text is not None else file_digest(path)) != digest:
            return False
    return True


def _module_candidates(base: str, parts: list[str]) -> list[str]:
    """The files ``import a.b`` may be, seen from ``base``."""
    if not parts:
        return [os.path.join(base, "__init__.py")]
    stem = os.path.join(base, *parts)  # ``base`` is absolute and normalised already
    return [stem + ".py", os.path.join(stem, "__init__.py")]


def _module_file(base: str, parts: list[str]) -> str | None:
    for candidate in _module_candidates(base, parts):
        if os.path.isfile(candidate):
            return candidate
    return None


def _parse(path: str, display: str, text: str | None) -> ForeignModule | None:
    from autograd_lint.analysis.parse import ParseFailure, parse
    from autograd_lint.analysis.syntax import check_syntax

    if text is None:
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_MODULE_BYTES + 1)
            if len(data) > MAX_MODULE_BYTES or b"\x00" in data:
                return None
            text = data.decode("utf-8-sig")
        except (OSError, UnicodeDecodeError):
            return None
    try:
        check_syntax(text, path)
        module = parse(text)
    except ParseFailure:
        return None
    except (RecursionError, MemoryError, ValueError):
        return None
    return ForeignModule(path, display, text, module, digest_of(text))


def project_root(path: str, boundary: str | None = None) -> str:
    """The nearest folder above ``path`` that marks a project; else ``path``'s own folder.

    With a ``boundary`` folder holding ``path`` (the language server's workspace folder),
    the search stops there, and the boundary is the root when nothing below it is marked.
    """
    folder = os.path.dirname(os.path.abspath(path))
    stop = os.path.abspath(boundary) if boundary else None
    if stop is not None and not folder_holds(stop, folder):
        stop = None
    current = folder
    while True:
        if any(os.path.exists(os.path.join(current, marker)) for marker in ROOT_MARKERS):
            return current
        if current == stop:
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return folder
        current = parent


def folder_holds(folder: str, path: str) -> bool:
    """Whether the absolute, normalised ``path`` is ``folder`` or lies below it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


_projects: dict[str, Project] = {}


def project_for(path: str, boundary: str | None = None, overlay: Overlay | None = None) -> Project:
    """The process's :class:`Project` for the file at ``path`` (one per root), reading
    ``overlay``'s texts over the disk for this lint."""
    root = project_root(path, boundary)
    found = _projects.get(root)
    if found is None:
        if len(_projects) > 16:
            _projects.clear()
        found = _projects[root] = Project(root)
    found.overlay = overlay
    return found
