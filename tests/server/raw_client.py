"""A client that writes raw bytes on the server's stdin, for tests of the framing itself.

pytest-lsp's client always frames messages correctly; what real clients (and broken ones)
send is tested by writing the bytes by hand. The server's answers are read on a thread and
kept in arrival order.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server_helpers import SERVER_COMMAND, TEST_DEBOUNCE_MS

Message = dict[str, Any]


def frame(body: bytes, header: bytes = b"Content-Length: %d\r\n\r\n") -> bytes:
    return (header % len(body) if b"%d" in header else header) + body


def encode(message: Message) -> bytes:
    return json.dumps(message).encode("utf-8")


class RawServer:
    """The server as a child process, spoken to in bytes."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            SERVER_COMMAND,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self.received: list[Message] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        self._stderr: list[bytes] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._stderr.append(line)

    def stderr(self) -> str:
        return b"".join(self._stderr).decode("utf-8", "replace")

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = None
            while True:
                line = stream.readline()
                if not line:
                    return
                if not line.strip():
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            assert length is not None
            body = stream.read(length)
            with self._lock:
                self.received.append(json.loads(body))

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send_message(self, message: Message, header: bytes = b"Content-Length: %d\r\n\r\n") -> None:
        self.send(frame(encode(message), header))

    def wait(self, predicate: Callable[[Message], bool], timeout: float = 60.0) -> Message:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for message in self.received:
                    if predicate(message):
                        return message
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited {self.proc.returncode}: {self.stderr()}")
            time.sleep(0.02)
        raise AssertionError(f"no matching message within {timeout}s; got {self.received}")

    def response(self, msg_id: Any, timeout: float = 60.0) -> Message:
        return self.wait(lambda m: "method" not in m and m.get("id") == msg_id, timeout)

    def publishes(self, uri: str) -> list[Message]:
        with self._lock:
            return [
                m
                for m in self.received
                if m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == uri
            ]

    def initialize(self, msg_id: int = 1) -> None:
        self.send_message(
            {
                "jsonrpc": "2.0",
                "id": msg_id,
                "method": "initialize",
                "params": {
                    "capabilities": {},
                    "initializationOptions": {
                        "autograd-lint": {"debounceMs": TEST_DEBOUNCE_MS, "runtimeCheck": "off"}
                    },
                },
            }
        )
        self.response(msg_id)
        self.send_message({"jsonrpc": "2.0", "method": "initialized", "params": {}})

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.send_message(did_open(uri, text, version))

    def close(self) -> int:
        """Shut down politely; the exit status (the process is killed if it hangs)."""
        try:
            self.send_message({"jsonrpc": "2.0", "id": "bye", "method": "shutdown"})
            self.response("bye", timeout=20)
            self.send_message({"jsonrpc": "2.0", "method": "exit"})
            return self.proc.wait(timeout=20)
        except Exception:
            self.proc.kill()
            self.proc.wait()
            raise
        finally:
            for stream in (self.proc.stdin, self.proc.stdout):
                if stream is not None:
                    stream.close()


def did_open(uri: str, text: str, version: int = 1) -> Message:
    return {
        "jsonrpc": "2.0",
        "method": "textDocument/didOpen",
        "params": {
            "textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}
        },
    }


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")
