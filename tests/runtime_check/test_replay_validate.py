"""The validator accepts what witnesses are made of, and everything the analysis writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd_lint.lint import lint_path
from autograd_lint.runtime_check.validate import (
    MAX_LOOP_ITERATIONS,
    WitnessRejected,
    validate,
    validate_script,
    without_unused_imports,
)

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

W = "w = torch.randn(3, requires_grad=True)\n"

ACCEPTED = {
    "list-comprehension": "ws = torch.randn(2, 3)\nparts = [torch.tensor(w) for w in ws]\n",
    "generator-into-cat": "gs = torch.randn(2, 2)\nv = torch.cat([g.view(-1) for g in gs])\n",
    "comprehension-over-named-range": (
        "N = 4\nx = torch.randn(3, 1)\nf = torch.cat([x ** i for i in range(1, N + 1)], 1)\n"
    ),
    "dict-and-set-comprehension": (
        "m = nn.Linear(2, 2)\nd = {n: p.shape for n, p in m.named_parameters()}\n"
        "s = {i * 2 for i in range(3)}\n"
    ),
    "variable": (
        "from torch.autograd import Variable\nv = Variable(torch.ones(2), requires_grad=True)\n"
        "w = torch.autograd.Variable(torch.zeros(2))\n"
    ),
    "assignments-and-ops": W + "y = (w * w).sum()\ny.backward()\n",
    "data-write": W + "w.data.mul_(10)\nw.data = torch.zeros(3)\n",
    "augmented-and-subscript": "x = torch.zeros(3)\nx += 1\nx[0] = 2.0\nx.data[1:] -= 1\n",
    "no-grad-block": W + "with torch.no_grad():\n    w.mul_(2)\n",
    "set-grad-enabled": "with torch.set_grad_enabled(False):\n    x = torch.ones(2)\n",
    "loop": "h = torch.zeros(2)\nfor _ in range(2):\n    h = torch.tanh(h + 1)\n",
    "nested-loop": "for _ in range(2):\n    for i in range(1, 3):\n        x = torch.ones(i)\n",
    "module-and-optimizer": (
        "import torch.optim as optim\nm = nn.Linear(2, 2)\n"
        "opt = optim.SGD(m.parameters(), lr=0.1)\n"
        "loss = F.mse_loss(m(torch.randn(4, 2)), torch.zeros(4, 2))\n"
        "loss.backward()\nopt.step()\nopt.zero_grad()\n"
    ),
    "from-import": "from torch import nn\nfrom torch.nn import functional as F\n"
    + "m = nn.Linear(2, 1)\n",
    "snapshots": W + "snaps = []\nsnaps.append(w.clone())\n",
    "parameter": "p = nn.Parameter(torch.randn(2))\np.requires_grad_(False)\nq = p.detach()\n",
    "autograd-grad": W + "g = torch.autograd.grad(w.sum(), w)\n",
    "literals": "xs = [1, 2.5, None, True]\nd = {'a': (1, 2)}\nn = -3\ns = 'text'\ne = 1e-3\n",
    "builtins": "n = len([1, 2])\nm = max(abs(-1), min(1, 2))\nf = float(int('3'))\nprint(n, m)\n",
}


@pytest.mark.parametrize("body", ACCEPTED.values(), ids=list(ACCEPTED))
def test_witness_shapes_are_accepted(body: str) -> None:
    validate(HEADER + body)


def test_observations_of_autograd_state_are_accepted() -> None:
    script = HEADER + "w = torch.randn(3, requires_grad=True)\nc = w.clone()\n"
    for observe in ("w.grad", "c.grad_fn.name()", "w._version", "c.is_leaf", "c.grad_fn is None"):
        validate(script, observe=observe, control_script=script)


def test_loop_bound_is_the_iteration_count() -> None:
    validate(f"for _ in range({MAX_LOOP_ITERATIONS}):\n    pass\n")
    validate(f"for _ in range(100, {100 + MAX_LOOP_ITERATIONS}):\n    pass\n")
    with pytest.raises(WitnessRejected, match="iterations"):
        validate(f"for _ in range({MAX_LOOP_ITERATIONS + 1}):\n    pass\n")


def test_three_nested_loops_are_refused() -> None:
    text = "for _ in range(2):\n for _ in range(2):\n  for _ in range(2):\n   pass\n"
    with pytest.raises(WitnessRejected, match="nested deeper"):
        validate(text)


def test_rejection_names_the_line() -> None:
    with pytest.raises(WitnessRejected, match=r"line 5"):
        validate(HEADER + "x = torch.ones(2)\ny = x.__class__\n")


def test_bound_names_include_imports_and_loop_variables() -> None:
    names = validate_script(HEADER + "for i in range(2):\n    x = torch.ones(i)\n")
    assert {"torch", "nn", "F", "i", "x"} <= names


def test_every_witness_the_analysis_writes_passes_validation() -> None:
    """The allow-list must cover what the analysis generates for the rule fixtures, or
    real findings would all end as not replayable."""
    checked = 0
    for path in sorted(FIXTURES.rglob("*.py")):
        for diagnostic in lint_path(path, witnesses=True).diagnostics:
            witness = diagnostic.witness
            if witness is None:
                continue
            exp = witness.expectation
            try:
                validate(witness.script, exp.observe, exp.control_script)
            except WitnessRejected as error:
                pytest.fail(f"{path.name}:{diagnostic.line} {diagnostic.code}: {error}")
            checked += 1
    if checked == 0:
        pytest.skip("the analysis produced no witnesses for the fixtures")


def test_unused_imports_of_other_torch_modules_are_dropped_before_replay() -> None:
    body = "w = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\n"
    script = (
        HEADER
        + "from torch.utils.data import DataLoader, TensorDataset\n"
        + "import torch.distributed as dist\n"
        + "from torch.utils.data import (\n    Dataset,\n)\n"
        + "import torch.utils.checkpoint\n"
        + body
    )
    with pytest.raises(WitnessRejected):
        validate(script)
    pruned = without_unused_imports(script)
    assert pruned == HEADER + body
    validate(pruned)


def test_imports_in_use_or_sharing_a_line_are_kept() -> None:
    used = HEADER + "from torch.utils.data import DataLoader\nloader = DataLoader\n"
    assert without_unused_imports(used) == used
    observed = HEADER + "import torch.distributed as dist\n"
    assert without_unused_imports(observed, observe="dist") == observed
    attribute = HEADER + "import torch.utils.data\nx = torch.utils\n"
    assert without_unused_imports(attribute) == attribute
    shared = HEADER + "import os; import torch.utils.data as d\n"
    assert without_unused_imports(shared) == shared
    not_torch = HEADER + "import os\n"
    assert without_unused_imports(not_torch) == not_torch


def test_a_torch_submodule_import_keeps_only_the_names_the_script_reads() -> None:
    """``from torch.autograd import Variable, Function`` in the file: a witness that reads
    neither is not refused for ``Function``, one that reads ``Function`` still is."""
    imported = HEADER + "from torch.autograd import Variable, Function\n"
    body = "x = torch.ones(2, requires_grad=True)\ny = (x * 2).sum()\n"
    with pytest.raises(WitnessRejected, match="Function"):
        validate(imported + body)
    pruned = without_unused_imports(imported + body)
    assert pruned == HEADER + body
    validate(pruned)
    reads_variable = imported + "v = Variable(torch.ones(2))\n"
    assert without_unused_imports(reads_variable) == (
        HEADER + "from torch.autograd import Variable\nv = Variable(torch.ones(2))\n"
    )
    reads_function = imported + "f = Function\n"
    with pytest.raises(WitnessRejected, match="Function"):
        validate(without_unused_imports(reads_function))
    starred = HEADER + "from torch.autograd import *\n"
    assert without_unused_imports(starred) == starred  # only ``torch``'s star is narrowed
