"""``check --fix`` through the real command: the file keeps its mode, owner, links and line
endings; files it must not write are refused with a reason; a full disk is an I/O error on
that file; a killed run leaves no temporary file; only fixes that apply count as fixable.

Faults (a full disk, a slow disk) are injected with a ``sitecustomize.py`` on ``PYTHONPATH``,
so the command under test is the unmodified one in a fresh process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from cli_support import REPO, SNAPSHOT, Run, run_subprocess, write

FIXED_SNAPSHOT = SNAPSHOT.replace("w.clone()", "w.detach().clone()")
LEGACY_IN_LOOP = """\
import torch

w = torch.randn(3, requires_grad=True)
y = (w + 1).sum()
for step in range(2):
    w.data.mul_(10)
y.backward()
"""
"""AG013 (off by default) inside a block: its fix wraps the write in ``torch.no_grad()``."""
AG013 = ("--extend-select", "AG013")


def fix(directory: Path, *argv: str, env: dict[str, str] | None = None) -> Run:
    return run_subprocess("check", "--no-progress", "--fix", *argv, cwd=directory, env=env)


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.name.endswith(".autograd-lint.tmp"))


def inject(directory: Path, code: str) -> dict[str, str]:
    """An environment whose Python runs ``code`` at start-up, in every process of the run."""
    site = directory / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(textwrap.dedent(code))
    return {"PYTHONPATH": os.pathsep.join([str(site), str(REPO)])}


def test_mode_and_owner_are_kept(tmp_path: Path) -> None:
    target = write(tmp_path, "snap.py", SNAPSHOT)
    target.chmod(0o640)
    as_root = os.geteuid() == 0
    if as_root:
        os.chown(target, 4321, 4322)
    before = target.stat()
    run = fix(tmp_path, "snap.py")
    assert run.code == 0, run.err
    after = target.stat()
    assert target.read_text() == FIXED_SNAPSHOT
    assert after.st_mode == before.st_mode
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    if as_root:
        assert (after.st_uid, after.st_gid) == (4321, 4322)


def test_hard_links_all_see_the_fix_through_one_inode(tmp_path: Path) -> None:
    target = write(tmp_path, "snap.py", SNAPSHOT)
    other = tmp_path / "elsewhere" / "same.py"
    other.parent.mkdir()
    os.link(target, other)
    inode = target.stat().st_ino
    run = fix(tmp_path, "snap.py")
    assert run.code == 0, run.err
    assert target.stat().st_ino == inode
    assert other.stat().st_ino == inode and target.stat().st_nlink == 2
    assert other.read_text() == FIXED_SNAPSHOT
    assert leftovers(tmp_path) == []


def test_crlf_file_stays_crlf(tmp_path: Path) -> None:
    target = tmp_path / "legacy.py"
    target.write_bytes(LEGACY_IN_LOOP.replace("\n", "\r\n").encode())
    run = fix(tmp_path, *AG013, "legacy.py")
    assert run.code == 0, run.out + run.err
    data = target.read_bytes()
    assert b"with torch.no_grad():\r\n        w.mul_(10)\r\n" in data
    assert data.count(b"\n") == data.count(b"\r\n") == LEGACY_IN_LOOP.count("\n") + 1


def test_tab_indented_file_is_fixed_with_tabs_and_compiles(tmp_path: Path) -> None:
    target = write(tmp_path, "legacy.py", LEGACY_IN_LOOP.replace("    w.data", "\tw.data"))
    report = run_subprocess("check", "--no-progress", *AG013, "legacy.py", cwd=tmp_path)
    assert "1 fixable with the `--fix` option" in report.err
    run = fix(tmp_path, *AG013, "legacy.py")
    assert run.code == 0, run.out + run.err
    text = target.read_text()
    assert "\twith torch.no_grad():\n\t    w.mul_(10)\n" in text
    compile(text, "legacy.py", "exec")


def test_a_fix_that_cannot_apply_is_not_counted_as_fixable(tmp_path: Path) -> None:
    source = LEGACY_IN_LOOP.replace("for step in range(2):\n    w.data", "if True: w.data")
    target = write(tmp_path, "oneline.py", source)
    report = run_subprocess("check", "--no-progress", *AG013, "oneline.py", cwd=tmp_path)
    assert report.code == 1 and "AG013" in report.out
    assert "fixable" not in report.err
    run = fix(tmp_path, *AG013, "oneline.py")
    assert run.code == 1 and "fix not applied" not in run.err
    assert target.read_text() == source


def test_read_only_file_is_refused(tmp_path: Path) -> None:
    target = write(tmp_path, "snap.py", SNAPSHOT)
    target.chmod(0o444)
    run = fix(tmp_path, "snap.py")
    assert "snap.py: fix not applied: the file is read-only" in run.err
    assert run.code == 1 and target.read_text() == SNAPSHOT


def test_symlink_out_of_the_tree_is_refused_and_one_inside_is_followed(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    write(project, "pyproject.toml", "[tool.autograd-lint]\n")
    foreign = write(outside, "theirs.py", SNAPSHOT)
    inside = write(project, "src/ours.py", SNAPSHOT)
    (project / "out.py").symlink_to(foreign)
    (project / "in.py").symlink_to(inside)
    run = fix(project, ".")
    assert (
        f"out.py: fix not applied: it is a symbolic link to {foreign.resolve()}, "
        "outside the checked tree" in run.err
    )
    assert foreign.read_text() == SNAPSHOT
    assert inside.read_text() == FIXED_SNAPSHOT
    assert (project / "in.py").is_symlink() and (project / "out.py").is_symlink()


DISK_FULL = """
import errno, os

def _full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

os.replace = _full
os.posix_fallocate = _full
"""


@pytest.mark.parametrize("linked", [False, True], ids=["replaced", "hard-linked"])
def test_disk_full_is_an_io_error_on_that_file(tmp_path: Path, linked: bool) -> None:
    target = write(tmp_path, "snap.py", SNAPSHOT)
    write(tmp_path, "other.py", SNAPSHOT)
    if linked:
        os.link(target, tmp_path / "link.txt")
    run = fix(tmp_path, "snap.py", "other.py", env=inject(tmp_path, DISK_FULL))
    message = "E902 cannot write the fixed file: No space left on device; left unchanged"
    assert f"snap.py:1:1: {message}" in run.out
    assert f"other.py:1:1: {message}" in run.out
    assert "internal error" not in run.out + run.err
    assert run.code == 1
    assert target.read_text() == SNAPSHOT
    assert leftovers(tmp_path) == []


SLOW_DISK = """
import os, time
from pathlib import Path

_fsync = os.fsync

def _slow(descriptor):
    Path(os.environ["MARKER"]).write_text(str(os.getpid()))
    time.sleep(60)
    _fsync(descriptor)

os.fsync = _slow
"""


@pytest.mark.parametrize(
    ("signum", "jobs"),
    [(signal.SIGTERM, "1"), (signal.SIGINT, "1"), (signal.SIGTERM, "2")],
    ids=["SIGTERM", "SIGINT", "SIGTERM-worker"],
)
def test_killed_while_writing_leaves_the_file_and_no_temporary(
    tmp_path: Path, signum: int, jobs: str
) -> None:
    """The signal reaches the process writing the file: the command itself, or (``--jobs``)
    its whole process group, as a CI runner cancelling the job sends it."""
    target = write(tmp_path, "snap.py", SNAPSHOT)
    write(tmp_path, "other.py", SNAPSHOT)
    marker = tmp_path / "writing"
    env = {**os.environ, **inject(tmp_path, SLOW_DISK), "MARKER": str(marker)}
    argv = ["check", "--no-progress", "--fix", "--jobs", jobs, "snap.py", "other.py"]
    process = subprocess.Popen(
        [sys.executable, "-m", "autograd_lint", *argv],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), process.stderr.read() if process.stderr else ""
        time.sleep(0.2)  # the marker is written before the sleep starts
        assert leftovers(tmp_path)  # a fix is being written
        if jobs == "1":
            os.kill(process.pid, signum)
        else:
            os.killpg(process.pid, signum)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if jobs == "1":
        assert process.returncode == (-signal.SIGTERM if signum == signal.SIGTERM else 130)
    # Workers may outlive the command by a moment; uncleaned, their temporary files would stay
    # until the injected 60 s sleep ends and the fixed file replaces the original.
    deadline = time.monotonic() + 20
    while leftovers(tmp_path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert leftovers(tmp_path) == []
    assert target.read_text() == SNAPSHOT
