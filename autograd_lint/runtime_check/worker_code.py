"""The sandbox worker's modules, compiled once and kept in one file in the user's cache.

Why: a cold replay starts a fresh interpreter, and compiling the engine from source costs
about as much as importing numpy. Python caches bytecode in ``__pycache__``, but not where
writing bytecode is off (``PYTHONDONTWRITEBYTECODE``, read-only installs), and the worker
itself runs with ``-B`` so that the sandbox never writes. So this side compiles the modules
the worker imports into one file, named after the interpreter's bytecode version and a
digest of the sources' paths, sizes and modification times; the worker loads its modules
from that file (see ``_worker.py``). Changed sources give a new name, so a stale file is
never used; older files of the same interpreter are removed.

Where the cache cannot be written, replays still work: the worker compiles from source.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import marshal
import os
import sys
import tempfile
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parents[2]
"""The directory that holds the ``autograd_lint`` package."""
WORKER_MODULES = (
    "autograd_lint",
    "autograd_lint.op_spec",
    "autograd_lint.ops",
    "autograd_lint.nn_modules",
    "autograd_lint.runtime_check",
    "autograd_lint.runtime_check.validate",
    "autograd_lint.runtime_check.worker",
)
WORKER_PACKAGES = ("autograd_lint.runtime_check.engine",)
"""Packages whose modules are all bundled (the engine loads most of them at import)."""
PREFIX = "worker-code-"
KEEP = 3
"""Files kept per interpreter, newest first."""


def cache_directory() -> Path:
    """``$XDG_CACHE_HOME/autograd-lint`` (``~/.cache/autograd-lint`` by default)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "autograd-lint"


def _source(module: str) -> tuple[Path, bool]:
    path = PACKAGE_ROOT.joinpath(*module.split("."))
    if path.is_dir():
        return path / "__init__.py", True
    return path.with_suffix(".py"), False


def worker_sources() -> dict[str, tuple[Path, bool]]:
    """Every module the worker imports from this package: name -> (source file, is package)."""
    sources = {name: _source(name) for name in WORKER_MODULES}
    for package in WORKER_PACKAGES:
        directory = PACKAGE_ROOT.joinpath(*package.split("."))
        for file in sorted(directory.rglob("*.py")):
            parts = file.relative_to(PACKAGE_ROOT).with_suffix("").parts
            is_package = parts[-1] == "__init__"
            name = ".".join(parts[:-1] if is_package else parts)
            sources[name] = (file, is_package)
    return sources


def _digest(sources: dict[str, tuple[Path, bool]]) -> str:
    digest = hashlib.sha256(importlib.util.MAGIC_NUMBER)
    for name, (file, _) in sorted(sources.items()):
        stat = file.stat()
        digest.update(f"{name}\0{file}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:20]


def _compile(sources: dict[str, tuple[Path, bool]]) -> bytes:
    modules = {}
    for name, (file, is_package) in sources.items():
        code = compile(file.read_bytes(), str(file), "exec", dont_inherit=True)
        modules[name] = (str(file), is_package, marshal.dumps(code))
    return marshal.dumps({"magic": importlib.util.MAGIC_NUMBER, "modules": modules})


def _write_atomically(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _modified(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:  # removed meanwhile by another process
        return 0


def _remove_older(directory: Path, keep: Path) -> None:
    tag = f"{PREFIX}{sys.implementation.cache_tag}-"
    others = [path for path in directory.glob(f"{tag}*.marshal") if path != keep]
    for old in sorted(others, key=_modified, reverse=True)[KEEP - 1 :]:
        with contextlib.suppress(OSError):
            old.unlink()


def prepared_bundle(directory: Path | None = None) -> Path | None:
    """The file of compiled worker modules for the current sources, written if missing.

    ``None`` where it cannot be had (unwritable cache, unreadable or invalid source): the
    worker then imports from source, slower but the same.
    """
    directory = directory if directory is not None else cache_directory()
    try:
        sources = worker_sources()
        target = directory / f"{PREFIX}{sys.implementation.cache_tag}-{_digest(sources)}.marshal"
        if target.is_file():
            return target
        data = _compile(sources)
        directory.mkdir(parents=True, exist_ok=True)
        _write_atomically(target, data)
        _remove_older(directory, target)
        return target
    except (OSError, SyntaxError, ValueError):
        return None
