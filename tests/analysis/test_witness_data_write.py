"""AG001's witness compares gradients: the program with its ``.data`` write, and the same
program with the write done as a tracked operation."""

from __future__ import annotations

import pytest

from autograd_lint.analysis.witness_data_write import tracked_form
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]
NON_LEAF_SCALED = """import torch
a = torch.tensor([2.0], requires_grad=True)
b = torch.tensor([3.0], requires_grad=True)
c = b * 4
c.data[0] = c.data[0] * 4
loss = (a * c).sum()
loss.backward()
"""


def _ag001(source: str):
    result = lint_source(source, "t.py", Settings(select=("AG001",)), witnesses=True)
    (finding,) = [d for d in result.diagnostics if d.code == "AG001"]
    return finding


def test_the_tracked_form_drops_data_from_the_one_write() -> None:
    assert tracked_form("c = b * 4\nc.data[0] = c.data[0] * 4\n") == "c = b * 4\nc[0] = c[0] * 4\n"
    assert tracked_form("c.data.mul_(2)\nd.data.zero_()\n") is None  # which write is unclear
    assert tracked_form("c.mul_(2)\n") is None
    assert tracked_form("c.data_ptr()\n") is None


def test_a_non_leaf_write_is_witnessed_by_the_gradient_upstream() -> None:
    witness = _ag001(NON_LEAF_SCALED).witness
    assert witness is not None
    assert witness.expectation.kind == "differs"
    assert witness.expectation.observe == "b.grad"
    control = witness.expectation.control_script
    assert control is not None and "c[0] = c[0] * 4" in control and ".data" not in control


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_gradient_witness_is_confirmed(backend: str) -> None:
    witness = _ag001(NON_LEAF_SCALED).witness
    assert witness is not None
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "confirmed", verdict
    assert "tensor([8.])" in verdict.evidence and "tensor([32.])" in verdict.evidence
