"""``nn.LSTMCell``, ``nn.GRUCell``, ``nn.RNNCell``: a call is one step of a graph that saved its
input and the state it was given (an LSTM cell returns the pair ``(h, c)``); a state the slice
does not define stands in as a pair where the script only hands it to an LSTM as its state."""

from __future__ import annotations

import pytest

from autograd_lint.analysis import state_pairs
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.runtime_check import confirm_many

EVERY_RULE = Settings(select=("AG",))
BACKENDS = ["mini", pytest.param("torch", marks=pytest.mark.torch)]

CARRIED = """import torch
import torch.nn as nn


def train(chunks, hidden):
    cell = nn.{cell}
    out = nn.Linear(4, 4)
    opt = torch.optim.SGD(list(cell.parameters()) + list(out.parameters()), lr=0.1)
    for x in chunks:
        hidden = cell(x, hidden)
        loss = out({h}).pow(2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
{detach}"""


def _findings(cell: str, h: str, detach: str = "") -> list:
    source = CARRIED.format(cell=cell, h=h, detach=detach)
    return list(lint_source(source, "case.py", EVERY_RULE, witnesses=True).diagnostics)


@pytest.mark.parametrize(
    ("cell", "h", "detach"),
    [
        (
            "LSTMCell(4, 4)",
            "hidden[0]",
            "        hidden = (hidden[0].detach(), hidden[1].detach())\n",
        ),
        ("GRUCell(4, 4)", "hidden", "        hidden = hidden.detach()\n"),
        ("RNNCell(4, 4)", "hidden", "        hidden = hidden.detach()\n"),
    ],
)
def test_a_state_carried_through_a_cell_is_a_second_backward_and_detached_it_is_not(
    cell: str, h: str, detach: str
) -> None:
    assert [d.code for d in _findings(cell, h)] == ["AG004"]
    assert [d.code for d in _findings(cell, h, detach)] == []


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    ("cell", "h"), [("LSTMCell(4, 4)", "hidden[0]"), ("GRUCell(4, 4)", "hidden")]
)
def test_the_carried_state_witness_is_confirmed(backend: str, cell: str, h: str) -> None:
    if backend == "torch":
        pytest.importorskip("torch")
    (finding,) = _findings(cell, h)
    assert finding.witness is not None
    if cell.startswith("LSTMCell"):
        # the state the function is given stands in as the pair an LSTM cell takes
        assert "hidden = (torch.randn(2, 4), torch.randn(2, 4))" in finding.witness.script
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", (finding.witness.script, verdict)


def test_a_name_handed_to_an_lstm_as_its_state_is_a_pair() -> None:
    script = (
        "hidden = __placeholder_plain__\n"
        "cell = nn.LSTMCell(4, 4)\n"
        "hidden = cell(x, hidden)\n"
        "y = hidden[0]\n"
        "rnn = nn.LSTM(4, 4)\n"
        "state = __placeholder_plain__\n"
        "out, state = rnn(x, state)\n"
    )
    assert state_pairs.pair_names(script, ["hidden", "state", "x"]) == {"hidden", "state"}


def test_a_name_also_read_as_a_tensor_or_handed_to_a_gru_is_not_a_pair() -> None:
    script = (
        "cell = nn.LSTMCell(4, 4)\n"
        "hidden = cell(x, h0 * 2)\n"
        "z = cell(x, s) + s\n"
        "gru = nn.GRUCell(4, 4)\n"
        "g = gru(x, g0)\n"
        "early = cell(x, late)\n"
    )
    assert state_pairs.pair_names(script, ["h0", "s", "g0"]) == set()
    # a call of a cell made later in the script is no LSTM yet
    assert (
        state_pairs.pair_names("w = cell(x, late)\ncell = nn.LSTMCell(4, 4)\n", ["late"]) == set()
    )
