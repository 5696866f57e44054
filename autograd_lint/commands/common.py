"""What every command shares: the program's name, its exit codes and its usage error."""

from __future__ import annotations

import os
from pathlib import Path

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
PROG = "autograd-lint"


class UsageError(Exception):
    """A combination of flags that cannot work; reported like an argparse error (exit 2)."""


def display_path(path: Path) -> str:
    """Relative to the working directory when inside it, so the output stays short."""
    try:
        return os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    except ValueError:
        return str(path)
