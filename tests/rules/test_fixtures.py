"""Each rule against its fixture: every `# expect: CODE [severity]` line is flagged, nothing else is.

Fixtures are realistic training code (modules, loops, helpers) with look-alike negatives
beside each positive; the expectations live on the lines themselves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.rules import ALL_RULES

EVERY_RULE = Settings(select=("AG",))
"""Rules that are off by default are checked against their fixtures too."""

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"
EXPECT = re.compile(r"#\s*expect:\s*(?P<code>AG\d{3})(?:\s+(?P<severity>error|warning|info))?")


def expectations(source: str, code: str) -> dict[int, str | None]:
    found = {}
    for number, line in enumerate(source.splitlines(), start=1):
        for match in EXPECT.finditer(line):
            if match.group("code") == code:
                found[number] = match.group("severity")
    return found


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_fixture(rule):
    (path,) = FIXTURES.glob(f"{rule.code}_*.py")
    source = path.read_text()
    expected = expectations(source, rule.code)
    assert expected, "a fixture must have positives"
    result = lint_source(source, str(path), EVERY_RULE)
    got = {d.range.start_line: d for d in result.diagnostics if d.code == rule.code}
    missing = sorted(set(expected) - set(got))
    unexpected = sorted(set(got) - set(expected))
    assert not missing, f"not flagged on lines {missing}"
    assert not unexpected, "flagged look-alikes: " + "; ".join(
        f"{line}: {got[line].message}" for line in unexpected
    )
    for line, severity in expected.items():
        if severity is not None:
            assert got[line].severity.value == severity, f"line {line}: {got[line].message}"


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_examples(rule):
    header = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
    for snippet in rule.invalid:
        codes = [d.code for d in lint_source(header + snippet, settings=EVERY_RULE).diagnostics]
        assert rule.code in codes, snippet
    for snippet in rule.valid:
        codes = [d.code for d in lint_source(header + snippet, settings=EVERY_RULE).diagnostics]
        assert rule.code not in codes, snippet


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_rule_docs(rule):
    docs = rule.docs_markdown()
    assert rule.code in docs and rule.name in docs
    for heading in ("## Why is this bad?", "## Example", "## Use instead"):
        assert heading in docs
    assert re.fullmatch(r"AG\d{3}", rule.code)
    assert re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name)


def test_off_by_default_rules_need_a_selector():
    source = "import torch\nw = torch.randn(3, requires_grad=True)\nw.data.zero_()\n"
    off = [r for r in ALL_RULES if not r.default_enabled]
    assert off, "AG013 is off by default"
    for rule in off:
        assert rule.code not in [d.code for d in lint_source(source).diagnostics]
        for select in (("AG",), (rule.code,), ("AG01",)):
            found = lint_source(source, settings=Settings(select=select)).diagnostics
            assert rule.code in [d.code for d in found], select
        extended = lint_source(source, settings=Settings(extend_select=(rule.code,)))
        assert rule.code in [d.code for d in extended.diagnostics]
