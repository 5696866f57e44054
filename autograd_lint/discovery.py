"""Which files a ``check`` run looks at.

Directories are walked for ``*.py`` files and ``*.ipynb`` notebooks, skipping what no one wants linted (virtual
environments, build output, VCS folders), what ``.gitignore`` files say git ignores, and the
``exclude`` / ``extend-exclude`` patterns of the configuration. A file named explicitly on the
command line is checked even when a pattern matches it (a path that does not exist must be
reported rather than silently dropped), unless ``force-exclude`` is set: pre-commit names
every staged file, and there ``exclude`` must still keep vendored code out, as with ruff.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pathspec

from autograd_lint.config import Settings

DEFAULT_EXCLUDES: tuple[str, ...] = (
    ".git",
    ".hg",
    ".svn",
    ".bzr",
    ".venv",
    "venv",
    ".env",
    ".tox",
    ".nox",
    ".eggs",
    "*.egg-info",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".ipynb_checkpoints",
    "__pycache__",
    "__pypackages__",
    "node_modules",
    "site-packages",
    "build",
    "dist",
    "_build",
)
"""Gitignore-style patterns excluded unless ``exclude`` replaces them."""

PYTHON_SUFFIXES: tuple[str, ...] = (".py", ".ipynb")


@dataclass(frozen=True)
class _IgnoreFile:
    """The rules of one ``.gitignore``; its patterns are relative to ``base``."""

    base: Path
    spec: pathspec.PathSpec


class Discovery:
    """Expands command-line paths into the ordered list of files to check."""

    def __init__(
        self, settings: Settings, root: Path | None = None, respect_gitignore: bool = True
    ) -> None:
        self.root = _absolute(root or Path.cwd())
        patterns = settings.exclude if settings.exclude else DEFAULT_EXCLUDES
        self.exclude = pathspec.GitIgnoreSpec.from_lines([*patterns, *settings.extend_exclude])
        self.respect_gitignore = respect_gitignore
        self.force_exclude = settings.force_exclude

    def files(self, paths: Sequence[str | os.PathLike[str]]) -> list[str]:
        """Files to check, in argument order, each once; directories expand sorted."""
        found: list[str] = []
        seen: set[str] = set()
        for argument in paths:
            name = os.fspath(argument)
            if self.force_exclude and self.is_excluded(Path(name), Path(name).is_dir()):
                continue
            candidates = self._walk(Path(name)) if Path(name).is_dir() else [name]
            for candidate in candidates:
                key = os.path.normcase(os.path.abspath(candidate))
                if key not in seen:
                    seen.add(key)
                    found.append(candidate)
        return found

    def is_excluded(self, path: Path, is_dir: bool) -> bool:
        """Whether the ``exclude`` patterns match ``path`` (relative to the root, or its name)."""
        absolute = _absolute(path)
        try:
            relative = absolute.relative_to(self.root).as_posix()
        except ValueError:
            relative = absolute.name
        suffix = "/" if is_dir else ""
        return self.exclude.match_file(relative + suffix) or self.exclude.match_file(
            path.name + suffix
        )

    def _walk(self, top: Path) -> list[str]:
        results: list[str] = []
        ignore_files = self._parent_gitignores(top) if self.respect_gitignore else []
        self._walk_dir(top, ignore_files, results)
        return results

    def _walk_dir(self, directory: Path, inherited: list[_IgnoreFile], out: list[str]) -> None:
        ignore_files = list(inherited)
        if self.respect_gitignore:
            own = _read_gitignore(directory)
            if own is not None:
                ignore_files.append(own)
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            return
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = entry.is_file()  # follows symlinks: a dangling link is not a file
            except OSError:
                continue
            if not (is_dir or is_file):
                continue
            if self.is_excluded(path, is_dir) or _gitignored(ignore_files, path, is_dir):
                continue
            if is_dir:
                self._walk_dir(path, ignore_files, out)
            elif path.suffix in PYTHON_SUFFIXES:
                out.append(os.fspath(path))

    def _parent_gitignores(self, top: Path) -> list[_IgnoreFile]:
        """``.gitignore`` files between the repository root and ``top`` (exclusive) apply too."""
        top = _absolute(top)
        if (top / ".git").exists():
            return []
        chain: list[Path] = []
        for directory in top.parents:
            chain.append(directory)
            if (directory / ".git").exists():
                break
        else:
            return []
        found = (_read_gitignore(directory) for directory in reversed(chain))
        return [ignore for ignore in found if ignore is not None]


def _gitignored(ignore_files: Iterable[_IgnoreFile], path: Path, is_dir: bool) -> bool:
    # Later (deeper) files may re-include with "!pattern"; the last file that has an opinion wins.
    verdict = False
    absolute = _absolute(path)
    for ignore in ignore_files:
        try:
            relative = absolute.relative_to(ignore.base).as_posix()
        except ValueError:
            continue
        include = _opinion(ignore.spec, relative + "/" if is_dir else relative)
        if include is not None:
            verdict = include
    return verdict


def _opinion(spec: pathspec.PathSpec, relative: str) -> bool | None:
    """True: ignored, False: re-included by ``!pattern``, None: no pattern matched."""
    check_file = getattr(spec, "check_file", None)
    if check_file is None:  # pathspec < 0.12: negations within one file still apply
        return True if spec.match_file(relative) else None
    include: bool | None = check_file(relative).include
    return include


def _absolute(path: Path) -> Path:
    """Absolute without resolving symlinks, so paths stay comparable to what was walked."""
    return Path(os.path.abspath(path))


def _read_gitignore(directory: Path) -> _IgnoreFile | None:
    try:
        lines = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    spec = pathspec.GitIgnoreSpec.from_lines(lines.splitlines())
    return _IgnoreFile(_absolute(directory), spec)


def discover(
    paths: Sequence[str | os.PathLike[str]], settings: Settings, root: Path | None = None
) -> list[str]:
    """Shorthand for ``Discovery(settings, root).files(paths)``."""
    return Discovery(settings, root).files(paths)
