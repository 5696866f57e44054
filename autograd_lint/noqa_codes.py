"""Warnings for ``# noqa`` comments that name codes autograd-lint does not have.

``# noqa: AG01`` (a typo for AG001) silences nothing, and ``# noqa: XYZ`` is read as a bare
``# noqa`` that silences everything on its line. Neither should pass unnoticed, but neither
is a failure either: ruff, too, only warns. Codes of other tools (``F401``, ``E501``) share
these comments and are not ours to judge, so only codes of our own rule families (``AG``)
are checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from autograd_lint.codes import is_known_code, known_codes
from autograd_lint.suppression import comments

_NOQA_LIST = re.compile(r"#\s*noqa:[ \t]*(?P<list>[^#\r\n]*)", re.IGNORECASE)
_TOKEN = re.compile(r"[A-Za-z]+[0-9]*")
_WELL_FORMED = re.compile(r"^[A-Z]+[0-9]+$", re.IGNORECASE)


@dataclass(frozen=True)
class NoqaWarning:
    """One questionable ``# noqa`` on a 1-based line."""

    line: int
    message: str


def rule_families() -> frozenset[str]:
    """Letter prefixes of the registered rules, e.g. ``AG``."""
    return frozenset(re.sub(r"[0-9]+$", "", code) for code in known_codes() if code[:1] != "E")


def noqa_warnings(source: str) -> list[NoqaWarning]:
    """Every ``# noqa: ...`` whose codes are unknown rule codes or not codes at all."""
    if "noqa" not in source.lower():
        return []
    families = rule_families()
    warnings: list[NoqaWarning] = []
    for number, _, line in comments(source):  # as the tokenizer sees them
        for match in _NOQA_LIST.finditer(line):
            tokens = [token for token in re.split(r"[\s,]+", match.group("list")) if token]
            codes = []
            for token in tokens:
                if not _TOKEN.fullmatch(token):
                    break  # the rest is prose, as in "F401  (re-exported)"
                codes.append(token)
            if not codes or not _WELL_FORMED.match(codes[0]):
                shown = match.group("list").strip() or "(nothing)"
                warnings.append(
                    NoqaWarning(
                        number,
                        f"`# noqa: {shown}` names no rule code, so it silences every code "
                        "on its line; write a code such as `# noqa: AG001`",
                    )
                )
                continue
            for code in codes:
                upper = code.upper()
                family = re.sub(r"[0-9]+$", "", upper)
                if family in families and not is_known_code(upper):
                    warnings.append(NoqaWarning(number, f"unknown rule code {code!r} in `# noqa`"))
    return warnings
