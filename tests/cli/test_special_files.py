"""FIFOs and devices named on the command line are E902 and never opened (reading them
could block forever or never end); the other files are checked."""

from __future__ import annotations

import os
from pathlib import Path

from cli_support import run_subprocess, write
from samples import DATA_WRITE as PITFALL


def test_fifo_and_device_link_are_e902_and_the_run_goes_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "a_pipe.py")
    (tmp_path / "b_zero.py").symlink_to("/dev/zero")
    write(tmp_path, "c_pitfall.py", PITFALL)
    run = run_subprocess(
        "check", "--no-progress", "a_pipe.py", "b_zero.py", "c_pitfall.py", cwd=tmp_path
    )
    assert run.code == 1, run.out + run.err
    assert "a_pipe.py:1:1: E902 not a regular file (a FIFO): not checked" in run.out
    assert "b_zero.py:1:1: E902 not a regular file (a device): not checked" in run.out
    assert "c_pitfall.py:5:1: AG001" in run.out


def test_huge_hexadecimal_literal_is_not_an_internal_error(tmp_path: Path) -> None:
    huge = "0x" + "f" * 5000
    text = PITFALL + f"for i in range({huge}):\n    v = w[{huge}]\n"
    write(tmp_path, "big.py", text)
    run = run_subprocess("check", "--no-progress", "big.py", cwd=tmp_path)
    assert run.code == 1, run.out + run.err
    assert "big.py:5:1: AG001" in run.out and "E001" not in run.out


def test_5000_digit_decimal_literal_is_e999_with_cpython_message(tmp_path: Path) -> None:
    write(tmp_path, "big.py", PITFALL + "x = " + "9" * 5000 + "\n")
    run = run_subprocess("check", "--no-progress", "big.py", cwd=tmp_path)
    assert run.code == 1, run.out + run.err
    assert "big.py:7:" in run.out and "E999 SyntaxError: Exceeds the limit" in run.out


def test_special_and_oversized_notebooks_are_e902_like_python_files(tmp_path: Path) -> None:
    """A ``.ipynb`` FIFO or device link is never opened; one over the size limit is not read
    (a sparse file: no disk is used), with the same message as a ``.py`` file."""
    os.mkfifo(tmp_path / "a_pipe.ipynb")
    (tmp_path / "b_zero.ipynb").symlink_to("/dev/zero")
    for name in ("c_big.ipynb", "c_big.py"):
        with open(tmp_path / name, "wb") as handle:
            handle.truncate(60_000_000)
    names = ("a_pipe.ipynb", "b_zero.ipynb", "c_big.ipynb", "c_big.py")
    run = run_subprocess("check", "--no-progress", "--no-cache", *names, cwd=tmp_path)
    assert run.code == 1, run.out + run.err
    assert "a_pipe.ipynb:1:1: E902 not a regular file (a FIFO): not checked" in run.out
    assert "b_zero.ipynb:1:1: E902 not a regular file (a device): not checked" in run.out
    limit = "E902 file is 60000000 bytes, over the 52428800-byte limit: not checked"
    assert f"c_big.ipynb:1:1: {limit}" in run.out and f"c_big.py:1:1: {limit}" in run.out
