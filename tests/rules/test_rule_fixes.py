"""Every fix a rule offers on its fixture applies cleanly, parses, and removes that finding."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from autograd_lint.config import Settings
from autograd_lint.fixes import apply_edits, fix_source
from autograd_lint.lint import lint_source
from autograd_lint.rules import ALL_RULES

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"


def fixture(code: str) -> tuple[Path, str]:
    (path,) = FIXTURES.glob(f"{code}_*.py")
    return path, path.read_text()


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_each_offered_fix_resolves_its_finding(rule):
    path, source = fixture(rule.code)
    findings = [d for d in lint_source(source, str(path)).diagnostics if d.code == rule.code]
    offered = 0
    for finding in findings:
        for fix in finding.fixes:
            offered += 1
            fixed = apply_edits(source, fix.edits)
            cst.parse_module(fixed)  # a fix never produces code that does not parse
            after = [d for d in lint_source(fixed, str(path)).diagnostics if d.code == rule.code]
            assert len(after) < len(findings), (fix.title, finding.message)
    if rule.code != "AG003":  # AG003 has no automatic fix by design
        assert offered, "the rule offers no fix on its own fixture"


def test_safe_fixes_are_idempotent_and_keep_other_findings():
    settings = Settings()
    for rule in ALL_RULES:
        path, source = fixture(rule.code)
        first = fix_source(source, str(path), settings)
        cst.parse_module(first.fixed)
        second = fix_source(first.fixed, str(path), settings)
        assert second.fixed == first.fixed
        before = [d for d in lint_source(source).diagnostics if d.code == rule.code]
        safe = [d for d in before if d.fix is not None and d.fix.safe]
        remaining = [d for d in first.result.diagnostics if d.code == rule.code]
        assert len(remaining) <= len(before) - len(safe) + 1


def test_data_mutation_fix_text():
    source = "import torch\nw = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\nw.data.mul_(10)\ny.backward()\n"
    (finding,) = [d for d in lint_source(source).diagnostics if d.code == "AG001"]
    assert finding.fix is not None and finding.fix.safe
    fixed = apply_edits(source, finding.fix.edits)
    assert "with torch.no_grad():\n    w.mul_(10)\n" in fixed


def test_detach_fix_text():
    source = (
        "import torch\nx = torch.randn(3, requires_grad=True)\nout = torch.sigmoid(x)\n"
        "c = out.detach()\nc.zero_()\nout.sum().backward()\n"
    )
    (finding,) = [d for d in lint_source(source).diagnostics if d.code == "AG002"]
    fixed = apply_edits(source, finding.fix.edits)
    assert "c = out.detach().clone()\n" in fixed
    assert not lint_source(fixed).diagnostics
