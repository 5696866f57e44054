"""Nesting without brackets, and syntax errors in files without autograd words.

libcst's native parser overflows its stack (the process dies) on a few thousand nested
``lambda:``, unary operators, conditional expressions or ``**``; CPython refuses such depth
with an exception. The checker asks CPython first, so the file is E999 and the run goes on.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_support import run_subprocess, write
from samples import DATA_WRITE as PITFALL

from autograd_lint.analysis.parse import ParseFailure
from autograd_lint.analysis.syntax import check_syntax

HEADER = "import torch\nw = torch.ones(2, requires_grad=True)\nw.data = w * 2\n"

SHAPES: dict[str, Callable[[int], str]] = {
    "lambda": lambda n: "x = " + "lambda: " * n + "1\n",
    "minus": lambda n: "x = " + "-" * n + "1\n",
    "not": lambda n: "x = " + "not " * n + "1\n",
    "ternary": lambda n: "x = " + "1 if 1 else " * n + "1\n",
    "power": lambda n: "x = " + "2 ** " * n + "1\n",
    "sum": lambda n: "x = " + " + ".join(["1"] * n) + "\n",
    "bracketed-sum": lambda n: "x = (" + " +\n    ".join(["1"] * n) + ")\n",
}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_thousands_of_nested_operators_are_e999_and_the_run_goes_on(
    tmp_path: Path, jobs: str
) -> None:
    names = []
    for shape, make in SHAPES.items():
        write(tmp_path, f"a_{shape}.py", HEADER + make(10000))
        names.append(f"a_{shape}.py")
    write(tmp_path, "b_pitfall.py", PITFALL)
    run = run_subprocess(
        "check", "--no-progress", "--jobs", jobs, *names, "b_pitfall.py", cwd=tmp_path
    )
    assert run.code == 1, run.out + run.err
    for name in names:
        assert f"{name}:1:1: E999 SyntaxError: too deeply nested to analyse" in run.out
    assert "b_pitfall.py:5:1: AG001" in run.out
    assert "E001" not in run.out and "internal error" not in run.err


def _deepest_cpython_accepts(make: Callable[[int], str]) -> int:
    low, high = 100, 20000
    while high - low > 1:
        middle = (low + high) // 2
        try:
            check_syntax(make(middle))
            low = middle
        except ParseFailure:
            high = middle
    return low


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_what_cpython_accepts_libcst_parses_and_the_checker_analyses(
    tmp_path: Path, shape: str
) -> None:
    # The margin the guard rests on: at the deepest nesting the syntax check lets through,
    # libcst's parser does not crash (from about 3,500 levels it does) and the analysis
    # still finds the finding above it.
    depth = _deepest_cpython_accepts(SHAPES[shape])
    assert depth > 500
    source = HEADER + SHAPES[shape](depth)
    parse = subprocess.run(
        [sys.executable, "-c", "import sys, libcst; libcst.parse_module(sys.stdin.read())"],
        input=source,
        text=True,
        capture_output=True,
        timeout=120,
    )
    assert parse.returncode == 0, parse.stderr[-2000:]
    write(tmp_path, "deep.py", source)
    run = run_subprocess("check", "--no-progress", "deep.py", cwd=tmp_path)
    assert run.code == 1, run.out + run.err
    assert run.out.startswith("deep.py:3:1: AG001"), run.out


@pytest.mark.parametrize(
    "text",
    ["def f(:\n    pass\n", "x = 1\n  y = 2\n", "print('unclosed\n", "def f():\nreturn 1\n"],
)
def test_syntax_error_without_autograd_words_is_e999_at_cpython_position(
    tmp_path: Path, text: str
) -> None:
    with pytest.raises(SyntaxError) as cpython:
        ast.parse(text)
    error = cpython.value
    write(tmp_path, "plain.py", text)
    run = run_subprocess("check", "--no-progress", "plain.py", cwd=tmp_path)
    assert run.code == 1, run.out + run.err
    expected = f"plain.py:{error.lineno}:{error.offset}: E999 SyntaxError: {error.msg}\n"
    assert run.out.startswith(expected), run.out
