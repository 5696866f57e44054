"""``--fix`` on files it cannot write: refused or reported per file, never a crash, no
temporary file left behind."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import SNAPSHOT, Run, write

Cli = Callable[..., Run]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_disk_full_is_an_io_error_on_that_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write(tmp_path, "snap.py", SNAPSHOT)

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full)
    run = cli("check", "--no-progress", "--fix", "snap.py")
    assert "snap.py:1:1: E902 cannot write the fixed file: No space left on device" in run.out
    assert "internal error" not in run.err
    assert target.read_text() == SNAPSHOT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.py"]


def test_read_only_file_is_refused(cli: Cli, tmp_path: Path) -> None:
    target = write(tmp_path, "snap.py", SNAPSHOT)
    target.chmod(0o444)
    run = cli("check", "--no-progress", "--fix", "snap.py")
    assert "snap.py: fix not applied: the file is read-only" in run.err
    assert target.read_text() == SNAPSHOT
