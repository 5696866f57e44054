"""What parses but does not compile (``return`` outside a function and the like) is E999
with CPython's message, not a clean file: found by the fuzz run on mutated real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import DATA_WRITE, run_subprocess, write

CASES = {
    "return": ("x = 1\nreturn x\n", "2:1: E999 SyntaxError: 'return' outside function"),
    "break": ("x = 1\nbreak\n", "2:1: E999 SyntaxError: 'break' outside loop"),
    "nonlocal": ("nonlocal x\n", "1:1: E999 SyntaxError: nonlocal declaration not allowed"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_compile_errors_are_e999_with_or_without_autograd_words(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    write(tmp_path, "plain.py", text)
    write(tmp_path, "torchy.py", DATA_WRITE + text)
    run = run_subprocess("check", "--no-progress", "--output-format", "concise", ".", cwd=tmp_path)
    assert run.code == 1
    assert f"plain.py:{expected}" in run.out
    offset = DATA_WRITE.count("\n")
    line, rest = expected.split(":", 1)
    assert f"torchy.py:{int(line) + offset}:{rest}" in run.out


def test_top_level_await_is_accepted_as_notebooks_use_it(tmp_path: Path) -> None:
    write(tmp_path, "cells.py", "async def f():\n    pass\n\nawait f()\n" + DATA_WRITE)
    run = run_subprocess("check", "--no-progress", "--output-format", "concise", ".", cwd=tmp_path)
    assert "E999" not in run.out and "AG001" in run.out
