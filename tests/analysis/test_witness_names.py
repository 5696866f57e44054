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
