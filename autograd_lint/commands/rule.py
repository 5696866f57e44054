"""``rule``: a rule's page or its facts, as ``ruff rule`` prints them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from autograd_lint.commands.common import EXIT_CLEAN, UsageError


def run_rule(args: argparse.Namespace) -> int:
    """A rule's page (markdown) or its facts (``--output-format json``), as ``ruff rule``."""
    from autograd_lint.output.common import BUILTIN_CODES
    from autograd_lint.rules import ALL_RULES, RULES_BY_CODE

    as_json = args.format == "json"
    if args.all:
        if as_json:
            codes = [rule.code for rule in ALL_RULES] + list(BUILTIN_CODES)
            print(json.dumps([rule_facts(each) for each in codes], indent=2))
            return EXIT_CLEAN
        width = max((len(rule.name) for rule in ALL_RULES), default=0)
        for rule in ALL_RULES:
            print(f"{rule.code}  {rule.name:<{width}}  {rule.summary}")
        for builtin, (name, summary) in BUILTIN_CODES.items():
            print(f"{builtin}  {name:<{width}}  {summary}")
        return EXIT_CLEAN
    if not args.code:
        raise UsageError("give a rule code (e.g. `autograd-lint rule AG001`) or --all")
    wanted = args.code.strip()
    by_name: dict[str, str] = {rule.name: rule.code for rule in ALL_RULES}
    by_name.update({entry[0]: builtin for builtin, entry in BUILTIN_CODES.items()})
    upper = wanted.upper()
    code: str | None = upper if upper in {*RULES_BY_CODE, *BUILTIN_CODES} else None
    code = code or by_name.get(wanted.lower())
    if code is None:
        known = ", ".join([*sorted(RULES_BY_CODE), *BUILTIN_CODES])
        raise UsageError(f"unknown rule {wanted!r}; known rules: {known}")
    if as_json:
        print(json.dumps(rule_facts(code), indent=2))
    else:
        sys.stdout.write(rule_facts(code)["explanation"])
    return EXIT_CLEAN


def rule_facts(code: str) -> dict[str, Any]:
    """What ``rule --output-format json`` prints, with the keys ``ruff rule`` uses."""
    from autograd_lint.output.common import BUILTIN_CODES
    from autograd_lint.rules import RULES_BY_CODE

    rule = RULES_BY_CODE.get(code)
    if rule is not None:
        return {
            "name": rule.name,
            "code": rule.code,
            "linter": "autograd-lint",
            "summary": rule.summary,
            "default_severity": rule.default_severity.value,
            "fix": bool(rule.fix_note),
            "explanation": rule.docs_markdown(),
            "url": rule.url(),
        }
    name, summary = BUILTIN_CODES[code]
    explanation = (
        f"# {name} ({code})\n\n{summary}\n\n"
        "Reported by the checker itself, not by a rule, when it cannot analyse a file; "
        "there is nothing to fix automatically: correct the file and check again.\n"
    )
    return {
        "name": name,
        "code": code,
        "linter": "autograd-lint",
        "summary": summary,
        "default_severity": "error",
        "fix": False,
        "explanation": explanation,
        "url": None,
    }
