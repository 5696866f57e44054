"""The result cache: a file whose content, settings and tool have not changed is not
analysed again.

Where: ``--cache-dir``, else ``$AUTOGRAD_LINT_CACHE_DIR``, else ``.autograd_lint_cache/``
beside the configuration file (the project root; the working directory without one).
``--no-cache`` turns it off. The folder holds a ``.gitignore`` and a ``CACHEDIR.TAG`` so
that neither git nor backup tools pick it up.

The key of one file's entry is a SHA-256 of:

- the file's bytes and the path it is reported under (per-file-ignores and the report use it);
- the settings (every field: rules, severities, runtime check and device, ...);
- the tool: its version, the Python version, and the size and modification time of each of
  the package's own modules, so a changed rule (an upgrade, or an edit in a checkout)
  invalidates every entry;
- the runtime check's backend: only the mini engine's verdicts are cached (it is part of the
  tool). Verdicts replayed on torch depend on the installed torch and the machine's devices,
  so a run with ``--runtime-check torch`` is not cached.

The analysis also reads the project modules the file imports (directly or not): the result
records each one's path and digest (``FileResult.dependencies``), and an entry is used only
while every one of them still has that digest (:func:`dependencies_unchanged`), so an edit
of ``models.py`` re-checks the ``train.py`` that imports it.

An entry is the pickled outcome of the check, behind a header with the digest of the
payload: a truncated or corrupted entry fails the check, is ignored and rewritten. Entries
are written to a temporary file and renamed into place, so parallel runs (``--jobs``, two
pre-commit hooks) never read half an entry; two writers of one key write the same bytes.
Like Python's own ``__pycache__`` (whose files it executes), the cache is trusted as much as
the source tree it sits in. Any I/O error on the cache makes the run uncached, never failed.

``--fix`` and ``--diff``: a cached entry is used only if it offers no fix that the run would
apply (then fixing would change nothing); otherwise the file is checked and fixed for real.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from autograd_lint import __version__
from autograd_lint.analysis.project import dependencies_unchanged

if TYPE_CHECKING:
    from autograd_lint.runner import CheckOptions, FileOutcome

CACHE_DIR_NAME = ".autograd_lint_cache"
ENVIRONMENT_VARIABLE = "AUTOGRAD_LINT_CACHE_DIR"
_FORMAT = b"autograd-lint-cache 1\n"
_DIGEST_SIZE = 32
_CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by autograd-lint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def cache_directory(flag: str | None, no_cache: bool, root: Path) -> str | None:
    """The cache folder for this run, or ``None`` when caching is off."""
    if no_cache:
        return None
    chosen = flag or os.environ.get(ENVIRONMENT_VARIABLE) or str(root / CACHE_DIR_NAME)
    return os.path.abspath(chosen)


@lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """Version, Python, and the size and mtime of every module of the package."""
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    for module in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            info = module.stat()
            digest.update(
                f"{module.relative_to(package)}\0{info.st_size}\0{info.st_mtime_ns}\0".encode()
            )
    return digest.hexdigest()


def cacheable(options: CheckOptions) -> bool:
    return options.cache_dir is not None and options.settings.runtime_check != "torch"


def entry_key(
    path: str, data: bytes, options: CheckOptions, dependencies: Sequence[bytes] = ()
) -> str:
    digest = hashlib.sha256()
    for part in (tool_fingerprint(), repr(options.settings), path):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(hashlib.sha256(data).digest())
    for dependency in dependencies:
        digest.update(hashlib.sha256(dependency).digest())
    return digest.hexdigest()


def _entry_path(directory: str, key: str) -> str:
    return os.path.join(directory, key[:2], key[2:])


def load(directory: str, key: str) -> FileOutcome | None:
    """The stored outcome, or ``None`` if there is none or it does not check out."""
    try:
        with open(_entry_path(directory, key), "rb") as handle:
            blob = handle.read()
    except OSError:
        return None
    header = len(_FORMAT) + _DIGEST_SIZE
    if not blob.startswith(_FORMAT) or len(blob) < header:
        return None
    payload = blob[header:]
    if hashlib.sha256(payload).digest() != blob[len(_FORMAT) : header]:
        return None
    try:
        outcome = pickle.loads(payload)
    except Exception:  # an entry from another layout of the classes: recompute it
        return None
    from autograd_lint.runner import FileOutcome

    return outcome if isinstance(outcome, FileOutcome) else None


def store(directory: str, key: str, outcome: FileOutcome) -> None:
    """Write the entry atomically; a cache that cannot be written is silently skipped."""
    payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    blob = _FORMAT + hashlib.sha256(payload).digest() + payload
    target = _entry_path(directory, key)
    with contextlib.suppress(OSError):
        _prepare(directory)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".tmp")
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(blob)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise


def _prepare(directory: str) -> None:
    """Create the folder with its ``.gitignore`` and ``CACHEDIR.TAG`` (once)."""
    tag = os.path.join(directory, "CACHEDIR.TAG")
    if os.path.exists(tag):
        return
    os.makedirs(directory, exist_ok=True)
    for name, text in (
        (".gitignore", "# Created by autograd-lint.\n*\n"),
        ("CACHEDIR.TAG", _CACHEDIR_TAG),
    ):
        with (
            contextlib.suppress(FileExistsError),
            open(os.path.join(directory, name), "x") as handle,
        ):
            handle.write(text)


def usable(outcome: FileOutcome, options: CheckOptions) -> bool:
    """A cached outcome stands for this run: plain checks always; ``--fix``/``--diff`` only
    when no fix of the entry would be applied (so fixing would change nothing). Either way
    only while the modules it imported are unchanged."""
    if not dependencies_unchanged(outcome.result.dependencies):
        return False
    if options.fix == "none":
        return True
    return not any(
        candidate.safe or options.unsafe_fixes
        for diagnostic in outcome.result.diagnostics
        for candidate in diagnostic.fixes
    )


def worth_storing(outcome: FileOutcome) -> bool:
    """Internal errors and unreadable files are checked again next time, not remembered."""
    return outcome.error is None and not any(
        d.code in ("E001", "E902") for d in outcome.result.diagnostics
    )
