"""Witnesses cut from the rule fixtures reproduce their findings on the mini engine and on torch,
and the same expectations do not reproduce on the look-alike negatives."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd_lint.diagnostics import Witness
from autograd_lint.lint import lint_source
from autograd_lint.rules import ALL_RULES
from autograd_lint.runtime_check import confirm_many

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"
HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


def fixture_findings():
    found = []
    for path in sorted(FIXTURES.glob("AG*.py")):
        result = lint_source(path.read_text(), str(path), witnesses=True)
        found.extend((path.name, d) for d in result.diagnostics)
    return found


FINDINGS = fixture_findings()
BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]


def test_most_findings_have_a_witness():
    with_witness = [d for _, d in FINDINGS if d.witness is not None]
    assert len(FINDINGS) >= 30
    # findings inside `for p in model.parameters()` loops, say, cannot be cut into a script
    assert len(with_witness) >= 0.9 * len(FINDINGS)


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_fixture_witness_is_confirmed(backend):
    if backend == "torch":
        pytest.importorskip("torch")
    cases = [(name, d) for name, d in FINDINGS if d.witness is not None]
    verdicts = confirm_many([d.witness for _, d in cases], backend=backend)
    failures = [
        f"{name}:{d.line} {d.code}: {v.status} ({v.evidence})\n{d.witness.script}"
        for (name, d), v in zip(cases, verdicts, strict=True)
        if v.status != "confirmed"
    ]
    assert not failures, "\n".join(failures)


def _negative_witnesses() -> list[tuple[str, Witness]]:
    """Each rule's look-alike negatives, run with the expectation its positives carry."""
    cases = []
    for rule in ALL_RULES:
        positives = [d for _, d in FINDINGS if d.code == rule.code and d.witness is not None]
        raising = [
            d.witness.expectation for d in positives if d.witness.expectation.kind == "raises"
        ]
        if not raising:
            continue
        for snippet in rule.valid:
            if "def " in snippet:
                continue
            cases.append((rule.code, Witness(HEADER + snippet, raising[0])))
    return cases


@pytest.mark.parametrize("backend", BACKENDS)
def test_negatives_are_not_reproduced(backend):
    if backend == "torch":
        pytest.importorskip("torch")
    cases = _negative_witnesses()
    assert {code for code, _ in cases} >= {"AG002", "AG003", "AG004"}
    verdicts = confirm_many([w for _, w in cases], backend=backend)
    for (code, witness), verdict in zip(cases, verdicts, strict=True):
        assert verdict.status == "not_reproduced", (code, witness.script, verdict)
