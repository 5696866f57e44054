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
EVERY_RULE = Settings(select=("AG",))
NO_AUTOMATIC_FIX = {"AG001", "AG003", "AG008", "AG014", "AG016"}
"""AG001: moving a write that a pending backward needs is a change of meaning, not a fix
(rewriting it under `torch.no_grad()` makes torch raise); AG003, AG008, AG016: by design (the
message names where the gradient was cut, or the copy); AG014: whether anomaly detection
should go, or move behind a debug flag, is the author's choice."""


def fixture(code: str) -> tuple[Path, str]:
    (path,) = FIXTURES.glob(f"{code}_*.py")
    return path, path.read_text()


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.code)
def test_each_offered_fix_resolves_its_finding(rule):
    path, source = fixture(rule.code)
    everything = lint_source(source, str(path), EVERY_RULE).diagnostics
    findings = [d for d in everything if d.code == rule.code]
    offered = 0
    for finding in findings:
        for fix in finding.fixes:
            offered += 1
            fixed = apply_edits(source, fix.edits)
            cst.parse_module(fixed)  # a fix never produces code that does not parse
            after_all = lint_source(fixed, str(path), EVERY_RULE).diagnostics
            after = [d for d in after_all if d.code == rule.code]
            assert len(after) < len(findings), (fix.title, finding.message)
            # a fix creates no finding of its own, of any rule
            assert len(after_all) < len(everything), (fix.title, finding.message)
    if rule.code in NO_AUTOMATIC_FIX:
        assert not offered
    else:
        assert offered, "the rule offers no fix on its own fixture"


def test_safe_fixes_are_idempotent_and_keep_other_findings():
    settings = EVERY_RULE
    for rule in ALL_RULES:
        path, source = fixture(rule.code)
        first = fix_source(source, str(path), settings)
        cst.parse_module(first.fixed)
        second = fix_source(first.fixed, str(path), settings)
        assert second.fixed == first.fixed
        before = [
            d for d in lint_source(source, settings=settings).diagnostics if d.code == rule.code
        ]
        safe = [d for d in before if d.fix is not None and d.fix.safe]
        remaining = [d for d in first.result.diagnostics if d.code == rule.code]
        assert len(remaining) <= len(before) - len(safe) + 1


def test_a_write_a_pending_backward_needs_gets_no_no_grad_rewrite():
    source = "import torch\nw = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\nw.data.mul_(10)\ny.backward()\n"
    (finding,) = [d for d in lint_source(source, settings=EVERY_RULE).diagnostics]
    assert finding.code == "AG001"
    assert not finding.fixes
    assert "after that backward" in finding.message


def test_legacy_write_fix_text():
    source = "import torch\nw = torch.randn(3, requires_grad=True)\nw.data.mul_(10)\n"
    (finding,) = lint_source(source, settings=EVERY_RULE).diagnostics
    assert finding.code == "AG013" and finding.fix is not None and finding.fix.safe
    fixed = apply_edits(source, finding.fix.edits)
    assert "with torch.no_grad():\n    w.mul_(10)\n" in fixed
    assert not lint_source(fixed, settings=EVERY_RULE).diagnostics


def test_legacy_write_where_grad_mode_is_off_drops_data():
    source = (
        "import torch\nimport torch.nn as nn\n\n\nclass M(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n"
        "        self.p = nn.Parameter(torch.ones(2))\n\n"
        "    @torch.no_grad()\n    def decay(self):\n        self.p.data.mul_(0.9)\n"
    )
    (finding,) = lint_source(source, settings=EVERY_RULE).diagnostics
    assert "torch.no_grad():` instead" not in finding.message
    assert finding.fix is not None
    fixed = apply_edits(source, finding.fix.edits)
    assert "        self.p.mul_(0.9)\n" in fixed and fixed.count("no_grad") == 1
    assert not lint_source(fixed, settings=EVERY_RULE).diagnostics


def test_detach_fix_text():
    source = (
        "import torch\nx = torch.randn(3, requires_grad=True)\nout = torch.sigmoid(x)\n"
        "c = out.detach()\nc.zero_()\nout.sum().backward()\n"
    )
    (finding,) = [d for d in lint_source(source).diagnostics if d.code == "AG002"]
    fixed = apply_edits(source, finding.fix.edits)
    assert "c = out.detach().clone()\n" in fixed
    assert not lint_source(fixed).diagnostics


def test_a_run_of_legacy_writes_gets_one_no_grad_block():
    source = (
        "import torch\n\n\ndef reset():\n    w = torch.randn(3, requires_grad=True)\n"
        "    w.data.zero_()\n    w.data.add_(1.0)\n    w.data[0] = 2.0\n    return w\n"
    )
    findings = lint_source(source, settings=EVERY_RULE).diagnostics
    assert [d.code for d in findings] == ["AG013"] * 3
    assert len({id(d.fix) for d in findings}) == 1  # one fix shared by the run
    outcome = fix_source(source, "t.py", EVERY_RULE)
    assert outcome.applied == 3
    assert outcome.fixed.count("with torch.no_grad():") == 1
    assert "    with torch.no_grad():\n        w.zero_()\n        w.add_(1.0)\n        w[0] = 2.0\n" in (
        outcome.fixed
    )
    assert not outcome.result.diagnostics


def test_a_comment_between_legacy_writes_ends_the_run():
    source = (
        "import torch\nw = torch.randn(3, requires_grad=True)\n"
        "w.data.zero_()\n# then shift\nw.data.add_(1.0)\n"
    )
    outcome = fix_source(source, "t.py", EVERY_RULE)
    assert outcome.fixed.count("with torch.no_grad():") == 2
    assert "# then shift\n" in outcome.fixed
    assert not outcome.result.diagnostics


@pytest.mark.parametrize(
    ("value", "applied"),
    [
        ("torch.zeros_like(w)", True),
        ("w.data * 0.5", True),
        ("w.data.clamp(0.0, 1.0)", True),
        ("torch.zeros(3)", False),  # a new tensor: its dtype and device are not known to match
        ("torch.zeros_like(w, dtype=torch.float64)", False),
        ("w.data * 2", False),  # an integer literal: only a float tensor keeps its dtype for sure
        ("v", False),
    ],
)
def test_legacy_assignment_becomes_copy_only_when_layouts_are_known_equal(value, applied):
    source = f"import torch\nv = torch.ones(3)\nw = torch.randn(3, requires_grad=True)\nw.data = {value}\n"
    (finding,) = lint_source(source, settings=EVERY_RULE).diagnostics
    assert finding.code == "AG013" and finding.fix is not None
    assert finding.fix.display_only is not applied
    outcome = fix_source(source, "t.py", EVERY_RULE, unsafe=True)
    assert outcome.changed is applied
    if applied:
        assert f"    w.copy_({value})\n" in outcome.fixed
