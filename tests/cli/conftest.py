"""The ``cli`` fixture: run ``main`` in this process (fast) and capture what it printed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cli_support import Run

from autograd_lint.cli import main


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """``cli("check", "x.py")`` runs ``main`` in-process and captures what it printed."""

    def run(*argv: str) -> Run:
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run
