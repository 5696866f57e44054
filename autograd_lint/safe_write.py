"""Writing a fixed file back without changing anything about it but its text.

``--fix`` edits files the user owns, in a tree they manage, often as root inside a container.
What it must keep:

- **Atomicity.** The new text goes to a temporary file in the same directory, is flushed to
  disk, then renamed over the old one: an interrupted run leaves the old file or the new
  one, never a truncated one.
- **Mode and owner.** The temporary file gets the old file's permission bits and, where the
  process may (root), its owner and group: a fix run as root must not hand a user's file to
  root.
- **Hard links.** A rename would give this name a new inode and leave every other link with
  the old text: the names would silently disagree. A file with more than one link is written
  in place, through its inode, so all its names see the fix (as editors do for such files).
  Space is reserved first (``posix_fallocate``), so a full disk fails before any byte
  changes, and SIGINT/SIGTERM are held back for the few system calls of the write.
- **Symlinks.** A link is followed and its target written (the link stays), but only when
  the target is inside the checked tree: a link into another project or into ``/etc`` is
  refused with :class:`WriteRefused`, not written through.
- **Read-only files** are refused: no write bit means "do not change me", even for root.
- **Signals.** A temporary file is registered while it exists; SIGTERM and SIGINT remove
  the registered ones before the process ends (:func:`install_signal_cleanup`).

Line endings and a BOM are the caller's business (the fixer keeps the file's own).
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

TEMP_SUFFIX = ".autograd-lint.tmp"
_live: set[str] = set()
"""Temporary files written right now; removed by the signal handler."""
_CLEANED_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class WriteRefused(Exception):
    """The file is not written, on purpose; the message says why (shown as 'fix not applied')."""


def within(path: str, roots: Sequence[str]) -> bool:
    """Whether the resolved ``path`` lies inside one of the resolved ``roots``."""
    for root in roots:
        resolved = os.path.realpath(root)
        with contextlib.suppress(ValueError):
            if os.path.commonpath([path, resolved]) == resolved:
                return True
    return False


def write_fixed(path: str, data: bytes, tree: Sequence[str] = ()) -> None:
    """Replace the contents of ``path`` with ``data``, keeping what the module lists.

    ``tree``: the checked directories; a symlink whose target resolves outside all of them
    is refused (no check when empty). Raises :class:`WriteRefused` or :class:`OSError`.
    """
    target = os.path.realpath(path)
    if os.path.islink(path) and tree and not within(target, tree):
        raise WriteRefused(
            f"it is a symbolic link to {target}, outside the checked tree; "
            "check that file where it lives"
        )
    info = os.stat(target)
    if not info.st_mode & 0o222 or not os.access(target, os.W_OK):
        raise WriteRefused("the file is read-only")
    if info.st_nlink > 1:
        _write_in_place(target, data)
    else:
        _replace(target, data, info)


def _replace(target: str, data: bytes, info: os.stat_result) -> None:
    directory = os.path.dirname(target) or "."
    descriptor, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(target)}.", suffix=TEMP_SUFFIX, dir=directory
    )
    _live.add(temporary)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            os.fchmod(handle.fileno(), stat.S_IMODE(info.st_mode))
            _keep_owner(handle.fileno(), info)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    finally:
        _live.discard(temporary)


def _keep_owner(descriptor: int, info: os.stat_result) -> None:
    """Give the new file the old one's owner and group, where this process may."""
    if (os.fstat(descriptor).st_uid, os.fstat(descriptor).st_gid) == (info.st_uid, info.st_gid):
        return
    try:
        os.fchown(descriptor, info.st_uid, info.st_gid)
    except PermissionError:
        # Not root: the owner cannot be given away, but the group may be one of ours.
        with contextlib.suppress(PermissionError):
            os.fchown(descriptor, -1, info.st_gid)


def _write_in_place(target: str, data: bytes) -> None:
    descriptor = os.open(target, os.O_WRONLY)
    try:
        _reserve(descriptor, len(data))
        with _signals_held():
            view = memoryview(data)
            position = 0
            while position < len(data):
                position += os.pwrite(descriptor, view[position:], position)
            os.ftruncate(descriptor, len(data))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _reserve(descriptor: int, size: int) -> None:
    """Allocate ``size`` bytes before writing, so a full disk fails before the file changes."""
    if size == 0 or not hasattr(os, "posix_fallocate"):
        return
    try:
        os.posix_fallocate(descriptor, 0, size)
    except OSError as error:
        if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            raise  # ENOSPC, EDQUOT, EFBIG: the file is still as it was


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block is done (delivered right after it)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _CLEANED_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def install_signal_cleanup() -> None:
    """On SIGTERM or SIGINT, remove this process's temporary files, then end as the signal
    would have ended it (SIGINT still raises :class:`KeyboardInterrupt`).

    Only the main thread can install handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for number in _CLEANED_SIGNALS:
        previous = signal.getsignal(number)
        if getattr(previous, "_autograd_lint_cleanup", False):
            continue
        signal.signal(number, _cleanup_handler(previous))


def _cleanup_handler(previous: Any) -> Callable[[int, FrameType | None], None]:
    def handler(signum: int, frame: FrameType | None) -> None:
        remove_temporaries()
        if callable(previous):
            previous(signum, frame)
            return
        if previous == signal.SIG_IGN:
            return
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    handler._autograd_lint_cleanup = True  # type: ignore[attr-defined]
    return handler


def remove_temporaries() -> None:
    for temporary in list(_live):
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        _live.discard(temporary)
