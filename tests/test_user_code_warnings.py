"""CPython's warnings about the user's code are not the checker's to print.

A file with an invalid escape in a plain string (``"\\d+"``) or a number run into a keyword
(``1if``) makes CPython emit a ``DeprecationWarning`` / ``SyntaxWarning`` each time it is
parsed; the checker parses a file several times (indentation, statement starts, the fix
check, the chunks of an incremental lint). None of those may escape to the user's terminal or
the server's log, while the file is still linted.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from autograd_lint.analysis.chunks import ChunkCache
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source

SOURCE = """import re
import torch

PATTERN = re.compile("\\d+")


def train(model, x):
    out = model(x)
    scale = 1if out is not None else 2
    out.data.mul_(scale)
    tag = "\\w"
    return out.sigmoid().sum(), tag


def step(w):
    w = torch.randn(3, requires_grad=True)
    y = w.sigmoid()
    y.data.zero_()
    y.sum().backward()
"""

SETTINGS = Settings(runtime_check="off", preview=True)


def _code_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, SyntaxWarning | DeprecationWarning)
        and ("escape sequence" in str(w.message) or "literal" in str(w.message))
    ]


def test_source_warns_when_python_compiles_it() -> None:
    """The sample really provokes the warnings (so the tests below can fail)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compile(SOURCE, "<sample>", "exec")
    assert len(_code_warnings(caught)) >= 2


@pytest.mark.parametrize("incremental", [False, True])
def test_lint_emits_no_warning_about_user_code(incremental: bool) -> None:
    cache = ChunkCache() if incremental else None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = [lint_source(SOURCE, "sample.py", SETTINGS, chunks=cache)]
        if cache is not None:  # an edit: the changed chunk is parsed again
            edited = SOURCE.replace('tag = "\\w"', 'tag = "\\s"')
            results.append(lint_source(edited, "sample.py", SETTINGS, chunks=cache))
    assert _code_warnings(caught) == []
    for result in results:
        assert "AG001" in {d.code for d in result.diagnostics}


def test_cli_prints_no_python_warning(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(SOURCE, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-W", "always", "-m", "autograd_lint", "check", "--no-cache", str(sample)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "AG001" in run.stdout
    assert "Warning" not in run.stderr, run.stderr
