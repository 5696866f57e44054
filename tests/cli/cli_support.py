"""Shared by the command-line tests: sample sources and a subprocess runner."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from samples import CLEAN, DATA_WRITE, LEGACY_DATA_WRITE, SNAPSHOT  # noqa: F401  (re-exported to the CLI tests)

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_subprocess(
    *argv: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> Run:
    """The command as a user runs it: ``python -m autograd_lint ...`` in a fresh process."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(REPO), *filter(None, [environment.get("PYTHONPATH")])]
    )
    environment.update(env or {})
    completed = subprocess.run(
        [sys.executable, "-m", "autograd_lint", *argv],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        timeout=600,
    )
    return Run(completed.returncode, completed.stdout, completed.stderr)


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
