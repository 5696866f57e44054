"""Colour for the text formats on a terminal, with the ``NO_COLOR`` / ``FORCE_COLOR`` conventions.

Colour is on when the report goes to a terminal, off when it goes to a pipe or a file.
``NO_COLOR`` (any non-empty value, https://no-color.org) turns it off and wins over
``FORCE_COLOR``, which turns it on where there is no terminal (CI logs that render ANSI).
"""

from __future__ import annotations

import os
import re
from typing import TextIO

BOLD = "\x1b[1m"
RED = "\x1b[31m"
CYAN = "\x1b[36m"
RESET = "\x1b[0m"
_FINDING = re.compile(r"^(?P<indent>\s*)(?P<place>\S.*?:\d+:\d+:) (?P<code>[A-Z]+[0-9]+|note:) ")


def wants_colour(stream: TextIO, environ: dict[str, str] | None = None) -> bool:
    env = os.environ if environ is None else environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def colourize(report: str) -> str:
    """Bold places and red codes in ``path:line:col: CODE message`` lines; the rest as is."""

    def paint(match: re.Match[str]) -> str:
        code = match.group("code")
        colour = CYAN if code == "note:" else BOLD + RED
        return f"{match.group('indent')}{BOLD}{match.group('place')}{RESET} {colour}{code}{RESET} "

    return "".join(_FINDING.sub(paint, line) for line in report.splitlines(keepends=True))
