"""Work done in forked processes that talk to their parent in pickled messages.

A very large file's segments are parsed and analysed in child processes
(:mod:`autograd_lint.segment_processes`). A child is forked with everything its parent
holds, does one task, sends what it found and ends with ``os._exit``: the trees it built are
never taken apart (freeing a segment's libcst tree, cycles and all, costs a tenth of its
analysis), and its memory goes back to the system at once.

Each child has a pipe each way. A message is a length and a pickle; the parent reads every
child's pipe as data arrives (a child never blocks on a full pipe) and writes to a child
only what is small or what the child is waiting for.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import selectors
import signal
import struct
import sys
from collections.abc import Callable, Generator
from typing import Any

_HEADER = struct.Struct("<Q")
_open: set[int] = set()
"""The parent's ends of its children's pipes, while they are open."""
_PR_SET_PDEATHSIG = 1
"""Linux ``prctl`` option: the signal a process receives when its parent ends."""


class Channel:
    """The child's end: messages to the parent and from it, blocking."""

    def __init__(self, reader: int, writer: int) -> None:
        self._reader = reader
        self._writer = writer

    def send(self, message: object) -> None:
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        view = memoryview(_HEADER.pack(len(data)) + data)
        while view:
            view = view[os.write(self._writer, view) :]

    def receive(self) -> Any:
        (size,) = _HEADER.unpack(self._read(_HEADER.size))
        return pickle.loads(self._read(size))

    def _read(self, size: int) -> bytes:
        parts: list[bytes] = []
        while size:
            part = os.read(self._reader, min(size, 1 << 20))
            if not part:
                raise EOFError("the parent closed the channel")
            parts.append(part)
            size -= len(part)
        return b"".join(parts)


class Child:
    """The parent's end of one forked child: what it has sent so far, and whether it ended."""

    def __init__(self, task: Callable[[Channel], None]) -> None:
        to_child_read, self._to_child = os.pipe()
        self._from_child, from_child_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: run the task, never return into the parent's code
            code = 1
            try:
                for fd in (self._to_child, self._from_child, *_open):
                    os.close(fd)  # the other children's pipes: their ends are not its own
                _child_setup()
                task(Channel(to_child_read, from_child_write))
                code = 0
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        self.pid = pid
        os.close(to_child_read)
        os.close(from_child_write)
        _open.update((self._to_child, self._from_child))
        os.set_blocking(self._to_child, False)
        self._received = bytearray()
        self._pending = bytearray()
        self.messages: list[Any] = []
        self.ended = False
        """The child closed its pipe: it sent all it will send."""
        self.given = False
        """It was sent the message relayed to it (:func:`in_order`)."""
        self.broken = False
        """What it sent could not be read back."""

    @property
    def reader(self) -> int:
        return self._from_child

    @property
    def writer(self) -> int:
        return self._to_child

    def send(self, message: object) -> None:
        """Queue a message for the child (written as the pipe takes it: :meth:`flush`)."""
        data = pickle.dumps(message, pickle.HIGHEST_PROTOCOL)
        self._pending += _HEADER.pack(len(data)) + data
        self.flush()

    @property
    def sending(self) -> bool:
        return bool(self._pending) and not self.ended

    def flush(self) -> None:
        if not self._pending or self.ended:
            return
        try:
            written = os.write(self._to_child, self._pending)
        except BlockingIOError:
            return
        except BrokenPipeError:  # the child ended: what it did not read it does not need
            self._pending.clear()
            return
        del self._pending[:written]

    def read(self) -> None:
        """Take what the child has written (call when its pipe is readable)."""
        data = os.read(self._from_child, 1 << 20)
        if not data:
            self.ended = True
            return
        self._received += data
        while len(self._received) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(self._received)
            if len(self._received) < _HEADER.size + size:
                break
            body = bytes(self._received[_HEADER.size : _HEADER.size + size])
            del self._received[: _HEADER.size + size]
            try:
                self.messages.append(pickle.loads(body))
            except Exception:
                self.broken = True

    def close(self) -> bool:
        """End the child if it still runs, reap it and close its pipes; whether it had
        ended by itself with exit status 0."""
        if not self.ended:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
        status = -1
        with contextlib.suppress(ChildProcessError):
            _, status = os.waitpid(self.pid, 0)
        for fd in (self._to_child, self._from_child):
            if fd in _open:
                _open.discard(fd)
                os.close(fd)
        return self.ended and status == 0


Task = Callable[[Channel], None]
"""What a child does; it ends when the task returns (or raises: the parent then has fewer
messages than it expected)."""

_NOTHING = object()


def in_order(
    count: int,
    task: Callable[[int], Task],
    processes: int,
    first: object = _NOTHING,
) -> Generator[tuple[int, list[Any] | None], None, None]:
    """Run ``task(i)`` for each ``i`` below ``count``, each in a forked child, at most
    ``processes`` at a time, started in order; yield ``(i, its messages)`` in order as each
    ends (None for a child that ended without exiting cleanly or sent what cannot be read).

    With ``first``, messages are relayed down the line: child 0 is sent ``first``, and each
    other child the first message of the one before it, as soon as that one sends it.
    Stopping the iteration ends the children still running.
    """
    relay = first is not _NOTHING
    children: dict[int, Child] = {}
    relayed: dict[int, object] = {0: first} if relay else {}
    started = 0
    try:
        for index in range(count):
            while True:
                while started < count and len(children) < processes:
                    children[started] = Child(task(started))
                    started += 1
                if relay:
                    for number, child in children.items():
                        if number not in relayed and number - 1 in children:
                            before = children[number - 1]
                            if before.messages and not before.broken:
                                relayed[number] = before.messages[0]
                        if number in relayed and not child.given:
                            child.given = True
                            child.send(relayed[number])
                child = children[index]
                if child.ended or child.broken:
                    break
                wait(list(children.values()))
            del children[index]
            clean = child.close() and not child.broken
            if relay and child.messages and index + 1 not in relayed:
                relayed[index + 1] = child.messages[0]
            relayed.pop(index, None)
            yield index, child.messages if clean else None
    finally:
        for child in children.values():
            child.close()


def wait(children: list[Child], timeout: float | None = None) -> None:
    """Block until one of ``children`` has sent something or ended, reading what came and
    writing what is queued for them."""
    with selectors.DefaultSelector() as selector:
        for child in children:
            if not child.ended:
                selector.register(child.reader, selectors.EVENT_READ, child)
        if not selector.get_map():
            return
        writers = {child.writer: child for child in children if child.sending}
        for fd, child in writers.items():
            with contextlib.suppress(KeyError, ValueError):
                selector.register(fd, selectors.EVENT_WRITE, child)
        for key, events in selector.select(timeout):
            child = key.data
            if events & selectors.EVENT_READ and key.fd == child.reader:
                child.read()
            if events & selectors.EVENT_WRITE and key.fd == child.writer:
                child.flush()


def _child_setup() -> None:
    """In a child: default signal handling (the parent's handlers clean up the parent's
    files), and an end with the parent's."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
