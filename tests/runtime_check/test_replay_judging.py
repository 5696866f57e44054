"""Replaying hand-written witnesses end to end: each of torch's autograd errors is
confirmed, each look-alike is not reproduced, unrelated failures are not replayable —
on torch and on the mini engine alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from replay_cases import BACKENDS, CASES, Case, backend_or_skip, raises

from autograd_lint.diagnostics import Confirmation
from autograd_lint.lint import lint_path
from autograd_lint.runtime_check import confirm, confirm_many


@pytest.fixture(scope="module", params=BACKENDS)
def verdicts(request: pytest.FixtureRequest) -> dict[str, Confirmation]:
    """Every case replayed in one batch (one sandbox worker) per backend."""
    backend = backend_or_skip(request.param)
    results = confirm_many([case.witness for case in CASES], backend=backend, timeout_s=30)
    assert len(results) == len(CASES)
    return {case.name: result for case, result in zip(CASES, results, strict=True)}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_verdict(case: Case, verdicts: dict[str, Confirmation]) -> None:
    verdict = verdicts[case.name]
    assert verdict.status == case.status, verdict.evidence
    assert case.evidence in verdict.evidence
    assert verdict.device == "cpu"


def test_confirmed_evidence_quotes_the_first_line_only(verdicts: dict[str, Confirmation]) -> None:
    evidence = verdicts["saved-output-modified-through-detach"].evidence
    assert evidence.startswith("RuntimeError: one of the variables needed for gradient")
    assert "\n" not in evidence


def test_differs_evidence_shows_both_values(verdicts: dict[str, Confirmation]) -> None:
    evidence = verdicts["data-write-before-backward"].evidence
    assert evidence.startswith("w.grad is ")
    assert evidence.count("tensor(") == 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_single_confirm_reports_backend_and_device(backend: str) -> None:
    backend_or_skip(backend)
    witness = raises("x = torch.randn(3)\nx.sum().backward()\n", "element 0 of tensors")
    verdict = confirm(witness, backend=backend, device="cpu")
    assert (verdict.status, verdict.backend, verdict.device) == ("confirmed", backend, "cpu")


def test_random_inputs_are_seeded_so_the_control_matches() -> None:
    """A ``differs`` witness compares two separate runs; identical scripts must agree,
    which only holds if both draw the same random numbers."""
    backend = "torch" if "torch" in _available() else backend_or_skip("mini")
    body = "w = torch.randn(4, requires_grad=True)\ny = (w * w).sum()\ny.backward()\n"
    from replay_cases import differs

    verdict = confirm(differs(body, body, "w.grad"), backend=backend)
    assert verdict.status == "not_reproduced", verdict.evidence


def _available() -> list[str]:
    from autograd_lint.runtime_check import available_backends

    return available_backends()


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_finding_on_the_rule_fixtures_is_confirmed(backend: str) -> None:
    """End to end: the analysis's own witnesses for the rule fixtures replay and prove
    their findings, on each backend (one sandbox batch per backend)."""
    backend_or_skip(backend)
    found = [
        (path.name, diagnostic)
        for path in sorted(FIXTURES.rglob("*.py"))
        for diagnostic in lint_path(path, witnesses=True).diagnostics
        if diagnostic.witness is not None
    ]
    if not found:
        pytest.skip("the analysis produced no witnesses for the fixtures")
    verdicts = confirm_many([d.witness for _, d in found if d.witness], backend, timeout_s=30)
    failures = [
        f"{name}:{d.line} {d.code}: {v.status}: {v.evidence}"
        for (name, d), v in zip(found, verdicts, strict=True)
        if v.status != "confirmed"
    ]
    assert not failures, "\n".join(failures)
