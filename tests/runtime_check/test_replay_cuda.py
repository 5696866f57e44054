"""Replay on a CUDA device with real torch; skipped (with the reason) where there is none."""

from __future__ import annotations

import pytest
from replay_cases import CASES, backend_or_skip, raises, torch_cuda_available

from autograd_lint.runtime_check import confirm, confirm_many

pytestmark = pytest.mark.cuda

ON_CUDA = (
    "saved-output-modified-through-detach",
    "second-backward",
    "backward-without-grad",
    "data-write-before-backward",
    "clone-keeps-history",
    "tensor-of-tensor-warns",
    "retain-graph-is-fine",
    "detached-clone-has-no-history",
)


def test_witnesses_replay_on_cuda() -> None:
    backend_or_skip("torch")
    if not torch_cuda_available():
        pytest.skip("torch.cuda.is_available() is false: no CUDA device on this machine")
    cases = [case for case in CASES if case.name in ON_CUDA]
    verdicts = confirm_many([case.witness for case in cases], backend="torch", device="cuda")
    for case, verdict in zip(cases, verdicts, strict=True):
        assert (verdict.backend, verdict.device) == ("torch", "cuda"), case.name
        assert verdict.status == case.status, (case.name, verdict.evidence)
        assert case.evidence in verdict.evidence, case.name


def test_auto_picks_cuda_when_present_and_cpu_otherwise() -> None:
    backend_or_skip("torch")
    witness = raises("x = torch.randn(3)\nx.sum().backward()\n", "element 0 of tensors")
    verdict = confirm(witness, backend="torch", device="auto")
    assert verdict.status == "confirmed", verdict.evidence
    assert verdict.device == ("cuda" if torch_cuda_available() else "cpu")


def test_cuda_requested_without_a_gpu_is_not_replayable() -> None:
    backend_or_skip("torch")
    if torch_cuda_available():
        pytest.skip("a CUDA device is present")
    witness = raises("x = torch.randn(3)\nx.sum().backward()\n", "element 0 of tensors")
    verdict = confirm(witness, backend="torch", device="cuda")
    assert (verdict.status, verdict.evidence) == ("not_replayable", "CUDA not available")
    assert verdict.device == "cuda"
