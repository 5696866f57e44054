"""Witnesses cut from the rule fixtures reproduce their findings on the mini engine and on torch,
and the same expectations do not reproduce on the look-alike negatives."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograd_lint.config import Settings
from autograd_lint.diagnostics import Witness
from autograd_lint.lint import lint_source
from autograd_lint.rules import ALL_RULES
from autograd_lint.runtime_check import confirm_many

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rules"
EVERY_RULE = Settings(select=("AG",))
HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


def fixture_findings():
    found = []
    for path in sorted(FIXTURES.glob("AG*.py")):
        result = lint_source(path.read_text(), str(path), EVERY_RULE, witnesses=True)
        found.extend((path.name, d) for d in result.diagnostics)
    return found


FINDINGS = fixture_findings()
BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]


def test_every_fixture_finding_has_a_witness():
    assert len(FINDINGS) >= 30
    static = {rule.code for rule in ALL_RULES if rule.static}
    missing = [
        f"{name}:{d.line} {d.code}"
        for name, d in FINDINGS
        if d.witness is None and d.code not in static
    ]
    assert not missing, missing


LOOP_OVER_PARAMETERS = (
    HEADER
    + """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 2)

    def forward(self, x):
        return self.fc(x)


def sgd(batch):
    model = Net()
    loss = model(batch).sum()
    loss.backward()
    for p in model.parameters():
        p.data.add_(p.grad, alpha=-0.1)
"""
)


def _only_witness(source: str) -> Witness | None:
    (finding,) = lint_source(source, "case.py", EVERY_RULE, witnesses=True).diagnostics
    return finding.witness


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_loop_over_parameters_names_the_parameter_through_its_layer(backend):
    if backend == "torch":
        pytest.importorskip("torch")
    witness = _only_witness(LOOP_OVER_PARAMETERS)
    assert witness is not None
    lines = witness.script.splitlines()
    assert "p = self_fc.weight" in lines
    # the call of the user's module stands for what its forward returned
    assert any(line.startswith("loss = returned_") and line.endswith(".sum()") for line in lines)
    assert lines.index("loss.backward()") < lines.index("p = self_fc.weight")
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "confirmed", (witness.script, verdict)


def test_a_loop_over_parameters_of_an_unseen_model_gets_no_witness():
    source = HEADER + (
        "def sgd(model, batch):\n"
        "    loss = model(batch).sum()\n"
        "    loss.backward()\n"
        "    for p in model.parameters():\n"
        "        p.data.add_(p.grad, alpha=-0.1)\n"
    )
    result = lint_source(source, "case.py", EVERY_RULE, witnesses=True)
    assert all(d.witness is None for d in result.diagnostics)


def test_a_loop_write_that_needs_a_gradient_no_backward_gave_gets_no_witness():
    source = LOOP_OVER_PARAMETERS.replace("    loss.backward()\n", "")
    assert _only_witness(source) is None


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_method_parameter_without_a_known_argument_becomes_a_plain_tensor(backend):
    if backend == "torch":
        pytest.importorskip("torch")
    source = HEADER + (
        "class Head(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.out = nn.Linear(5, 1)\n"
        "\n"
        "    def forward(self, x):\n"
        "        return self.out(x)\n"
        "\n"
        "\n"
        "model = Head()\n"
        "\n"
        "\n"
        "@torch.no_grad()\n"
        "def evaluate(batch):\n"
        "    score = model(batch).mean()\n"
        "    score.backward()\n"
    )
    witness = _only_witness(source)
    assert witness is not None
    lines = [line.strip() for line in witness.script.splitlines()]
    assert "x = torch.randn(2, 5)" in lines  # sized for Linear(5, 1)
    assert "with torch.no_grad():" in lines  # the decorator's grad mode
    (verdict,) = confirm_many([witness], backend=backend)
    assert verdict.status == "confirmed", (witness.script, verdict)


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


NAMES_THE_SANDBOX_LACKS = """\
import torch
from torch import pi, nn, cat
from torch.amp import autocast
from torch.utils.data import DataLoader


class Bias(nn.Module):
    def __init__(self, heads, dim):
        super().__init__()
        self.learned_bias = nn.Parameter(torch.zeros(heads, dim))
        self.learned_bias.uniform_(-2.0 * pi, 0.0)
"""


@pytest.mark.parametrize("backend", BACKENDS)
def test_torch_imports_keep_only_what_the_sandbox_provides(backend: str) -> None:
    """``from torch import pi, nn`` keeps ``nn``; ``torch.amp`` and ``torch.utils.data``
    lines go (the sandbox has neither): the witness replays instead of being refused."""
    result = lint_source(NAMES_THE_SANDBOX_LACKS, "bias.py", EVERY_RULE, witnesses=True)
    (finding,) = [d for d in result.diagnostics if d.code == "AG007"]
    assert finding.witness is not None
    script = finding.witness.script
    assert "from torch import nn, cat\n" in script
    assert "autocast" not in script and "DataLoader" not in script
    (verdict,) = confirm_many([finding.witness], backend)
    assert verdict.status == "confirmed", verdict
