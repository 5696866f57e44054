"""Which rule codes exist, and whether a selector (``AG001``, ``AG0``, ``E``, ``ALL``) names any.

A selector that matches nothing is a silent off-switch: ``ignore = ["AG01"]`` meant for AG001
would ignore nothing, ``select = ["AG01"]`` would select nothing and report "All checks
passed!". Like ruff, such selectors are errors. The known codes come from the rule registry,
so a new rule module is known as soon as it is registered.
"""

from __future__ import annotations

import re

from autograd_lint.diagnostics import IO_ERROR_CODE, SYNTAX_ERROR_CODE

SELECT_ALL = "ALL"
CORE_CODES: tuple[str, ...] = (SYNTAX_ERROR_CODE, IO_ERROR_CODE)
"""Codes the core reports itself, outside the rule catalogue."""
_CODE_SHAPE = re.compile(r"^(?P<letters>[A-Z]+)(?P<digits>[0-9]*)$")


def known_codes() -> tuple[str, ...]:
    """Every code a check can report: the registered rules, then the core's own codes."""
    from autograd_lint.rules import RULES_BY_CODE  # the registry imports the analysis: lazily

    return (*sorted(RULES_BY_CODE), *CORE_CODES)


def code_families() -> frozenset[str]:
    """The letter parts of the known codes (``AG``, ``E``)."""
    families = set()
    for code in known_codes():
        match = _CODE_SHAPE.match(code)
        if match:
            families.add(match.group("letters"))
    return frozenset(families)


def is_known_selector(selector: str) -> bool:
    """``ALL``, a known code, or a prefix of one that keeps whole letter groups (``AG``, ``AG0``).

    ``A`` is not a prefix in this sense: ruff's selectors name a linter's letters in full.
    """
    if selector == SELECT_ALL:
        return True
    match = _CODE_SHAPE.match(selector)
    if match is None:
        return False
    letters = match.group("letters")
    return any(code.startswith(selector) and _letters(code) == letters for code in known_codes())


def is_known_code(code: str) -> bool:
    """A complete code that a check can report (``severity`` needs whole codes)."""
    return code in known_codes()


def _letters(code: str) -> str:
    match = _CODE_SHAPE.match(code)
    return match.group("letters") if match else code
