"""How the file's names become a witness's: the legacy ``Variable`` wrapper, written as the
calls every backend has."""

from __future__ import annotations

import libcst as cst
import pytest

from autograd_lint.analysis.witness_names import _VariableWriter, variable_names
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]


def _written(source: str, line: str) -> str:
    names = variable_names(cst.parse_module(source))
    return cst.parse_module(line).visit(_VariableWriter(names)).code


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("y = Variable(x)\n", "y = x.detach()\n"),
        ("y = Variable(x, requires_grad=False)\n", "y = x.detach()\n"),
        ("y = Variable(x, requires_grad=True)\n", "y = x.detach().requires_grad_()\n"),
        ("y = Variable(a + b)\n", "y = (a + b).detach()\n"),
        ("y = V(x)\n", "y = x.detach()\n"),
        ("y = torch.autograd.Variable(x)\n", "y = x.detach()\n"),
    ],
)
def test_variable_is_written_as_detach(line: str, expected: str) -> None:
    source = "import torch\nfrom torch.autograd import Variable\nfrom torch.autograd import Variable as V\n"
    assert _written(source, line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "y = Variable(x, volatile=True)\n",  # an argument modern torch ignores: left as is
        "y = Variable(x, requires_grad=flag)\n",  # a flag the witness does not know
        "y = Variable()\n",
    ],
)
def test_other_variable_calls_stay_as_written(line: str) -> None:
    assert _written("from torch.autograd import Variable\n", line) == line


def test_a_variable_of_the_files_own_is_not_torchs() -> None:
    source = "class Variable:\n    pass\n"
    assert _written(source, "y = Variable(x)\n") == "y = Variable(x)\n"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_view_made_through_variable_is_confirmed(backend: str) -> None:
    source = (
        "import torch\nfrom torch.autograd import Variable\n"
        "x = Variable(torch.randn(3, 1, 2)).transpose(1, 0)\nx.detach_()\n"
    )
    result = lint_source(source, "t.py", Settings(select=("AG012",)), witnesses=True)
    (finding,) = result.diagnostics
    assert finding.witness is not None
    assert "Variable(" not in finding.witness.script
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


def test_a_list_unpacked_once_is_written_out() -> None:
    from autograd_lint.analysis.witness_names import unstarred

    code = "layers = [nn.Linear(2, 3), nn.ReLU()]\nnet = nn.Sequential(*layers)\n"
    assert unstarred(code) == "net = nn.Sequential(nn.Linear(2, 3), nn.ReLU())\n"


@pytest.mark.parametrize(
    "code",
    [
        # read again, or bound twice: the list the call unpacks is not just the literal
        "layers = [nn.ReLU()]\nlayers.append(nn.Tanh())\nnet = nn.Sequential(*layers)\n",
        "layers = [nn.ReLU()]\nlayers = [nn.Tanh()]\nnet = nn.Sequential(*layers)\n",
        "layers = make()\nnet = nn.Sequential(*layers)\n",
        "net = nn.Sequential(*layers)\n",
        "scale = [2.0]\ny = x * scale[0]\n",  # read, not unpacked
    ],
)
def test_other_unpacking_stays(code: str) -> None:
    from autograd_lint.analysis.witness_names import unstarred

    assert unstarred(code) == code


WEIGHT_NORMED = """import torch
import torch.nn as nn
from torch.nn.utils import weight_norm

net = nn.Sequential(weight_norm(nn.Linear(4, 8), dim=None), nn.ReLU(inplace=False))
x = torch.randn(2, 4)
h = net(x)
y = torch.sigmoid(h)
y.mul_(2)
y.sum().backward()
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_weight_normed_layer_stands_as_the_layer(backend: str) -> None:
    result = lint_source(WEIGHT_NORMED, "t.py", Settings(select=("AG002",)), witnesses=True)
    (finding,) = result.diagnostics
    assert finding.witness is not None
    assert "weight_norm(" not in finding.witness.script
    assert "nn.Linear(4, 8)" in finding.witness.script
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


PARAMETER_READ = """import torch
import torch.nn as nn
from torch.nn.utils import weight_norm

lin = LAYER
y = torch.sigmoid(lin.weight)
y.mul_(2)
y.sum().backward()
"""


def test_a_weight_normed_layers_parameters_are_not_its_own() -> None:
    """A script that reads a layer's parameters is refused once its ``weight_norm`` is
    dropped: the layer's ``weight`` is computed from ``weight_g`` and ``weight_v``."""

    def witness(layer: str):
        source = PARAMETER_READ.replace("LAYER", layer)
        result = lint_source(source, "t.py", Settings(select=("AG002",)), witnesses=True)
        (finding,) = result.diagnostics
        return finding.witness

    plain = witness("nn.Linear(4, 2)")
    assert plain is not None and "lin.weight" in plain.script
    assert witness("weight_norm(nn.Linear(4, 2))") is None
