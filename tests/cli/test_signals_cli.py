"""A ``kill`` of ``check --jobs N`` ends its worker processes too (they used to go on
checking, and fixing, the rest of their files with nobody to report to)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_support import REPO

FUNCTION = """
def step_{n}(model, batch, optimizer):
    optimizer.zero_grad()
    loss = model(batch).pow(2).mean()
    loss.backward()
    optimizer.step()
    return loss.detach().clone()
"""


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_to_the_command_ends_its_workers(tmp_path: Path) -> None:
    text = "import torch\n" + "".join(FUNCTION.format(n=n) for n in range(6000))
    for index in range(6):
        (tmp_path / f"m{index}.py").write_text(text, encoding="utf-8")
    environment = dict(os.environ, PYTHONPATH=str(REPO))
    command = [sys.executable, "-m", "autograd_lint", "check", "--no-progress", "--no-cache"]
    process = subprocess.Popen(
        [*command, "--jobs", "2", "."],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
            workers = _children(process.pid)
        assert len(workers) >= 2, "the workers never started"
        time.sleep(1.0)  # inside their first files
        assert process.poll() is None, "the run ended before it could be stopped"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == -signal.SIGTERM
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)], "workers outlived the command"
    finally:
        process.kill()
        process.wait()
        for pid in workers:  # a failed run leaves them to PID 1: they are ours to end
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
