"""Witnesses of code that builds tensors with the legacy ``t.new(*size)``, and the sizes
such code reads through a chain of plain bindings."""

from __future__ import annotations

import libcst as cst
import pytest

from autograd_lint.analysis.witness_names import LegacyNewWriter
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]

VIEW_DETACHED = """import torch
from torch.autograd import Variable


def initial_feed(context, hidden_size):
    batch_size = context.size(1)
    h_size = (batch_size, hidden_size)
    return Variable(context.data.new(*h_size).zero_(), requires_grad=False).unsqueeze(0)


context = torch.randn(5, 2, 8)
feed = initial_feed(context, 8)
feed.detach_()
"""


def _written(code: str) -> str:
    node = cst.parse_expression(code).visit(LegacyNewWriter())
    return cst.Module(body=[]).code_for_node(node)


def test_a_legacy_new_of_sizes_is_written_as_new_zeros() -> None:
    assert _written("x.new(*h_size)") == "x.new_zeros(h_size)"
    assert _written("x.data.new(2, 3).zero_()") == "x.data.new_zeros((2, 3)).zero_()"


def test_a_legacy_new_of_data_is_left_as_written() -> None:
    assert _written("x.new([1.0, 2.0])") == "x.new([1.0, 2.0])"
    assert _written("x.new(other)") == "x.new(other)"
    assert _written("x.new(2, n)") == "x.new(2, n)"
    assert _written("x.new()") == "x.new()"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_view_of_a_legacy_new_is_detached_in_the_witness(backend: str) -> None:
    result = lint_source(VIEW_DETACHED, "t.py", Settings(select=("AG012",)), witnesses=True)
    (finding,) = result.diagnostics
    assert finding.witness is not None
    script = finding.witness.script
    assert "new_zeros(h_size)" in script
    assert "h_size = (batch_size, hidden_size)" in script  # the sizes, bound as the file does
    assert "batch_size = context.size(1)" in script
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


def test_a_detach_of_the_base_tensor_is_no_finding() -> None:
    source = VIEW_DETACHED.replace(", requires_grad=False).unsqueeze(0)", ", requires_grad=False)")
    result = lint_source(source, "t.py", Settings(select=("AG012",)), witnesses=True)
    assert result.diagnostics == ()
