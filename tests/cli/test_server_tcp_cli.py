"""``server --tcp HOST:0``: the port the system picked is printed, so a client can connect."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

from cli_support import REPO


def test_tcp_port_zero_prints_the_bound_address(tmp_path: Path) -> None:
    env = dict(
        os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "autograd_lint", "server", "--tcp", "127.0.0.1:0"],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.fullmatch(r"listening on (127\.0\.0\.1):(\d+)\n", line)
        assert match, line
        port = int(match.group(2))
        assert port > 0
        with socket.create_connection(("127.0.0.1", port), timeout=10):
            pass
    finally:
        process.kill()
        process.wait(timeout=30)
