"""Known numbers, strings and containers decide branches and indices, as the program would."""

from __future__ import annotations

import pytest

from autograd_lint.lint import lint_source

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"

TOP_DOWN = HEADER + (
    "class Block(nn.Module):\n"
    "    def __init__(self, c_in, c_out):\n"
    "        super().__init__()\n"
    "        self.conv = nn.Conv2d(c_in, c_out, 1)\n\n"
    "    def forward(self, x):\n"
    "        return torch.relu(self.conv(x))\n\n\n"
    "class Head(nn.Module):\n"
    "    def __init__(self, in_channels=(4, 8, 16), channels=8):\n"
    "        super().__init__()\n"
    "        self.blocks = nn.ModuleList(Block(c, channels) for c in in_channels)\n\n"
    "    def forward(self, inputs):\n"
    "        outs = [block(inputs[i]) for i, block in enumerate(self.blocks)]\n"
    "        for i in range(len(outs) - 1, 0, -1):\n"
    "            outs[i - 1] += outs[i].mean()\n"
    "        return outs[0]\n\n\n"
    "feats = [torch.randn(1, 4, 8, 8), torch.randn(1, 8, 4, 4), torch.randn(1, 16, 2, 2)]\n"
    "Head()(feats).sum().backward()\n"
)


def _findings(source: str) -> list[tuple[str, int]]:
    return [(d.code, d.line) for d in lint_source(source, "case.py").diagnostics]


def test_a_top_down_loop_indexes_the_list_it_built() -> None:
    """Each block's relu output is saved by ReluBackward0; ``outs[i - 1] +=`` writes one."""
    assert ("AG002", 22) in _findings(TOP_DOWN)


@pytest.mark.parametrize(
    "change",
    [
        ("outs[i - 1] += outs[i].mean()", "outs[i - 1] = outs[i - 1] + outs[i].mean()"),
        ("return torch.relu(self.conv(x))", "return self.conv(x) + 1"),
        ("range(len(outs) - 1, 0, -1)", "range(0)"),
    ],
)
def test_the_out_of_place_or_unsaved_forms_are_quiet(change: tuple[str, str]) -> None:
    assert _findings(TOP_DOWN.replace(*change)) == []


def test_a_negative_literal_is_negative() -> None:
    source = HEADER + (
        "w = torch.randn(3, requires_grad=True)\n"
        "flag = -1\n"
        "if flag == 1:\n"
        "    w = w.detach()\n"
        "(w * 2).sum().backward()\n"
    )
    assert _findings(source) == []


def test_a_lambda_handed_to_a_helper_is_followed() -> None:
    source = HEADER + (
        "w = torch.randn(3, requires_grad=True)\n\n\n"
        "def run(fn):\n"
        "    y = fn(w)\n"
        "    y.backward()\n"
        "    y.backward()\n\n\n"
        "run(lambda v: torch.sigmoid(v).sum())\n"
    )
    assert ("AG004", 11) in _findings(source)
    assert _findings(source.replace("torch.sigmoid(v).sum()", "v.sum()")) == []


def test_reduce_of_losses_and_isinstance_of_a_tuple_of_types() -> None:
    source = HEADER + (
        "from functools import reduce\n\n"
        "w = torch.randn(3, requires_grad=True)\n"
        "opt = torch.optim.SGD([w], lr=0.1)\n"
        "history = []\n"
        "for step in range(5):\n"
        "    opt.zero_grad()\n"
        "    loss = (w * w).sum()\n"
        "    if not isinstance(loss, (tuple, list)):\n"
        "        loss = [loss, (w * 2).sum()]\n"
        "    history.append(reduce(lambda x, y: x + y, loss))\n"
        "    history[-1].backward()\n"
        "    opt.step()\n"
    )
    assert ("AG010", 15) in _findings(source)
    fixed = source.replace(
        "    history.append(reduce(lambda x, y: x + y, loss))\n    history[-1].backward()\n",
        "    total = reduce(lambda x, y: x + y, loss)\n    history.append(total.item())\n"
        "    total.backward()\n",
    )
    assert fixed != source
    assert "AG010" not in [code for code, _ in _findings(fixed)]


EXPLAINERS = HEADER + (
    "class Vanilla:\n"
    "    def __init__(self, model):\n"
    "        self.model = model\n\n"
    "    def explain(self, inp):\n"
    "        inp.requires_grad = True\n"
    "        self.model(inp).sum().backward()\n"
    "        return inp.grad\n\n\n"
    "class Smooth:\n"
    "    def __init__(self, model, base=None):\n"
    "        self.base = base or Vanilla(model)\n\n"
    "    def explain(self, inp):\n"
    "        return self.base.explain(inp + torch.randn_like(inp))\n\n\n"
    "model = nn.Linear(3, 2)\n"
    "x = torch.randn(1, 3)\n"
    "Vanilla(model).explain(x)\n"
    "Smooth(model).explain(x)\n"
)


def test_a_flag_set_in_a_helper_holds_for_the_caller_and_or_picks_its_side() -> None:
    """``x`` requires grad after the first explainer ran on it, so the second one hands
    ``Vanilla.explain`` a non-leaf, which torch refuses (``base or Vanilla(model)`` is the
    new explainer: ``base`` is None)."""
    assert ("AG008", 10) in _findings(EXPLAINERS)


def test_without_the_first_explainer_the_input_stays_a_leaf() -> None:
    assert _findings(EXPLAINERS.replace("Vanilla(model).explain(x)\n", "")) == []


CONDITIONAL = HEADER + (
    "import numpy as np\n\n"
    "class Server:\n"
    "    def __init__(self, losses):\n"
    "        self.losses = losses\n"
    "        self.selected = []\n\n"
    "    def gather(self, selected=False):\n"
    "        picked = self.selected if selected else self.losses\n"
    "        return np.sum(picked)\n\n\n"
    "w = torch.randn(3, requires_grad=True)\n"
    "server = Server([(w * 2).sum(), (w * 3).sum()])\n"
)


@pytest.mark.parametrize(
    ("call", "reported"),
    [
        ("server.gather()", True),  # the default picks the losses, which require grad
        ("server.gather(selected=False)", True),
        ("server.gather(selected=True)", False),  # the empty list: nothing is converted
        ("server.gather(selected=flag)", False),  # not known: either list
    ],
)
def test_a_conditional_expression_with_a_known_test_takes_one_branch(
    call: str, reported: bool
) -> None:
    source = CONDITIONAL + f"flag = len(open('f').read()) > 3\n{call}\n"
    assert (("AG011", 14) in _findings(source)) is reported


ORDERED = HEADER + (
    "def step(depth):\n"
    "    w = torch.randn(3, requires_grad=True)\n"
    "    out = w * 2\n"
    "    if depth > 1:\n"
    "        out = out.detach()\n"
    "    out.sum().backward()\n\n\n"
    "step({depth})\n"
)


@pytest.mark.parametrize(("depth", "cut"), [(2, True), (1, False), (1.5, True), (0, False)])
def test_an_ordering_of_known_numbers_decides_the_branch(depth: object, cut: bool) -> None:
    """``depth > 1`` with ``depth`` known in the call: only the branch Python takes runs."""
    assert (("AG003", 10) in _findings(ORDERED.format(depth=depth))) is cut
