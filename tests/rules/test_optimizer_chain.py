"""AG016 through ``itertools.chain``: unpacking tensors with ``*`` hands over their rows."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEAD = "import itertools\nimport torch\n\nnet = torch.nn.Linear(2, 2)\nW = torch.zeros(2, 2, requires_grad=True)\n"


def _codes(source: str) -> list[str]:
    return [d.code for d in lint_source(source, "opt.py").diagnostics]


def test_chaining_unpacked_parameters_is_flagged() -> None:
    (finding,) = lint_source(
        HEAD + "opt = torch.optim.Adam(itertools.chain(*net.parameters(), W))\n", "opt.py"
    ).diagnostics
    assert finding.code == "AG016"
    assert "`itertools.chain(model.parameters(), [w])`" in finding.message


@pytest.mark.parametrize(
    "call",
    [
        "itertools.chain(net.parameters(), [W])",
        "itertools.chain(net.parameters(), (W,))",
        "list(net.parameters()) + [W]",
    ],
)
def test_chaining_the_iterables_is_quiet(call: str) -> None:
    assert _codes(HEAD + f"opt = torch.optim.Adam({call})\n") == []
