"""AG001's witness compares gradients: the program with its ``.data`` write, and the same
program with the write done as a tracked operation."""

from __future__ import annotations

from pathlib import Path

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


MASKED_FORWARD = """import torch
import torch.nn as nn


class Masked(nn.Linear):
    def forward(self, x):
        self.weight.data *= self.mask
        return super().forward(x)
"""
RENORM_FORWARD = """import torch
import torch.nn as nn


class Capped(nn.Conv2d):
    def forward(self, x):
        self.weight.data = torch.renorm(self.weight.data, p=2, dim=0, maxnorm=self.max_norm)
        return super().forward(x)
"""


def test_the_out_of_place_form_of_a_parameter_write() -> None:
    from autograd_lint.analysis.witness_data_write import _out_of_place

    assert _out_of_place("w.data *= m", "w") == "w = w * (m)"
    assert _out_of_place("w.data = torch.renorm(w.data, 2, 0, 1.0)", "w") == (
        "w = torch.renorm(w, 2, 0, 1.0)"
    )
    assert _out_of_place("w.data.mul_(m)", "w") == "w = w.mul(m)"
    assert _out_of_place("w.data.zero_()", "w") is None  # no out-of-place twin
    assert _out_of_place("v.data *= m", "w") is None  # another tensor's write
    assert _out_of_place("w.data[0] = 1.0", "w") is None


@pytest.mark.parametrize("source", [MASKED_FORWARD, RENORM_FORWARD])
def test_a_write_into_a_parameter_in_forward_has_a_gradient_witness(source: str) -> None:
    witness = _ag001(source).witness
    assert witness is not None
    assert witness.expectation.kind == "differs"
    assert witness.expectation.observe == "parameter.grad"
    control = witness.expectation.control_script
    assert control is not None and "self_weight.data" not in control
    assert "self_weight.data" in witness.script


@pytest.mark.parametrize("source", [MASKED_FORWARD, RENORM_FORWARD])
@pytest.mark.parametrize("backend", BACKENDS)
def test_the_forward_write_witness_is_confirmed(source: str, backend: str) -> None:
    witness = _ag001(source).witness
    assert witness is not None
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "confirmed", verdict


def test_a_write_outside_forward_gets_no_forward_witness() -> None:
    from autograd_lint.analysis.interpreter import analyze
    from autograd_lint.analysis.trace import DataWrite
    from autograd_lint.analysis.witness_data_write import witness_for_forward_write

    trace = analyze(
        "import torch\nw = torch.randn(3, requires_grad=True)\nm = torch.rand(3)\nw.data *= m\n"
    )
    (event,) = trace.of_type(DataWrite)
    assert witness_for_forward_write(trace, event) is None


MASKED_SUBLAYER = """import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 4, 3)
        self.mask1 = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        self.conv1.weight.data = torch.mul(self.conv1.weight, self.mask1.weight)
        return self.conv1(x)
"""


def test_a_sublayer_parameters_holders_are_flattened() -> None:
    from autograd_lint.analysis.witness_stand_ins import flattened as _flattened

    assert _flattened("a.w.weight.data = torch.mul(a.w.weight, a.m.weight)", "a.w.weight") == (
        "a_w_weight.data = torch.mul(a_w_weight, a_m_weight)"
    )
    assert _flattened("a.w.weight.data *= a.w.scale", "a.w.weight") is None  # a holder's setting
    assert _flattened("a.w.weight.data *= m", "a.v.weight") is None  # another parameter's write
    assert _flattened("a.w.weight.data = a.w.weight(x)", "a.w.weight") is None  # a call


def test_a_write_into_a_sublayers_parameter_has_a_gradient_witness() -> None:
    witness = _ag001(MASKED_SUBLAYER).witness
    assert witness is not None
    assert "self_conv1_weight.data = torch.mul(self_conv1_weight, self_mask1_weight)" in (
        witness.script
    )
    control = witness.expectation.control_script
    assert control is not None and ".data" not in control


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_sublayer_write_witness_is_confirmed(backend: str) -> None:
    witness = _ag001(MASKED_SUBLAYER).witness
    assert witness is not None
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "confirmed", verdict


NNI = Path(__file__).parents[1] / "realworld/AG001/nni_new_forward_weight_data_mask.py"


def test_a_parameter_written_through_its_holders_is_named_as_one_tensor() -> None:
    """nni's ``layer.module.weight.data = old_weight.mul(mask)``: the holders ``layer`` and
    ``layer.module`` are not in the script, nor a stand-in for them."""
    witness = _ag001(NNI.read_text()).witness
    assert witness is not None
    assert "layer_module_weight.data = old_weight.mul(mask)" in witness.script
    assert "layer = " not in witness.script and "`layer`" not in witness.script
    assert witness.expectation.observe == "layer_module_weight._version == version_before"


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_held_parameter_witness_is_confirmed(backend: str) -> None:
    witness = _ag001(NNI.read_text()).witness
    assert witness is not None
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "confirmed", verdict


UNRELATED_FORWARD = """import torch
import torch.nn as nn


class Masked(nn.Linear):
    def forward(self, x):
        self.weight.data = torch.ones(3, 4)
        return super().forward(x)
"""


def test_a_forward_write_of_a_value_apart_from_the_parameter_has_no_gradient_witness() -> None:
    """Tracked, ``self_weight = torch.ones(3, 4)`` has no path to the parameter: the two
    scripts cannot be compared on its gradient."""
    witness = _ag001(UNRELATED_FORWARD).witness
    assert witness is None or witness.expectation.kind != "differs"
