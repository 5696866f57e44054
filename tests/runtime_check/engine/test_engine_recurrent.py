"""Recurrent modules run on torch and on the engine: same values, gradients and graph.

Parameters are overwritten with the same numbers on both backends first, so the programs
compare the cells' arithmetic, not the initialisation. ``nn.LSTM`` on CPU records torch's
fused ``MkldnnRnnLayerBackward0`` node, which the engine does not name: its programs keep
only gradients and detached values, and a separate test pins the graph names that do match.
"""

from __future__ import annotations

import pytest
from engine_harness import assert_same

from autograd_lint.runtime_check import engine

torch = pytest.importorskip("torch")

SEQ = (
    "x = torch.tensor([[[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]], [[-0.25, 2.0, 1.0], "
    "[0.1, -0.3, 0.6]], [[1.2, -0.7, 0.4], [-1.1, 0.2, 0.9]]], requires_grad=True)\n"
)
FILL = (
    "with torch.no_grad():\n"
    "    for i, p in enumerate(m.parameters()):\n"
    "        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape) * (1 + 0.1 * i))\n"
    "del p, i\n"
)
TRAIN = (
    "l = o.sin().sum() + h.cos().sum()\nl.backward()\nl = l.detach()\n"
    "gw = m.weight_ih_l0.grad.clone()\ngb = m.bias_hh_l0.grad.clone()\n"
)
LSTM_TRAIN = (
    "o = o.detach()\nh, c = h\n"
    + TRAIN.replace("h.cos()", "(h.cos() + c)")
    + "h, c = h.detach(), c.detach()\n"
)

PROGRAMS: dict[str, str] = {
    "rnn": "m = torch.nn.RNN(3, 4)\n" + FILL + "o, h = m(x)\n" + TRAIN,
    "rnn_relu_two_layers": "m = torch.nn.RNN(3, 4, 2, 'relu')\n" + FILL + "o, h = m(x)\n" + TRAIN,
    "gru_two_layers": "m = torch.nn.GRU(3, 4, num_layers=2)\n" + FILL + "o, h = m(x)\n" + TRAIN,
    "gru_bidirectional": "m = torch.nn.GRU(3, 4, bidirectional=True)\n"
    + FILL
    + "o, h = m(x)\nk = len(list(m.named_parameters()))\n"
    + TRAIN,
    "gru_with_state": "m = torch.nn.GRU(3, 4)\n"
    + FILL
    + "h0 = torch.full((1, 2, 4), 0.5, requires_grad=True)\no, h = m(x, h0)\n"
    + TRAIN,
    "lstm": "m = torch.nn.LSTM(3, 4)\n" + FILL + "o, h = m(x)\n" + LSTM_TRAIN,
    "lstm_batch_first_two_layers": "m = torch.nn.LSTM(3, 4, num_layers=2, batch_first=True)\n"
    + FILL
    + "o, h = m(x)\n"
    + LSTM_TRAIN,
    "lstm_bidirectional_state": "m = torch.nn.LSTM(3, 4, bidirectional=True)\n"
    + FILL
    + "s = (torch.full((2, 2, 4), 0.1), torch.full((2, 2, 4), -0.2))\no, h = m(x, s)\ndel s\n"
    + LSTM_TRAIN,
    "lstm_unbatched": "m = torch.nn.LSTM(3, 4)\n" + FILL + "o, h = m(x[0])\n" + LSTM_TRAIN,
    "lstm_cell": "m = torch.nn.LSTMCell(3, 4)\n"
    + FILL
    + "h, c = m(x[0])\nh2, c2 = m(x[1], (h, c))\n(h2.sum() + c2.sum()).backward()\n"
    "gw = m.weight_hh.grad\n",
    "gru_cell": "m = torch.nn.GRUCell(3, 4)\n"
    + FILL
    + "h = m(x[0])\nh2 = m(x[1], h)\nh2.sum().backward()\ngw = m.weight_hh.grad\n",
    "rnn_cell_unbatched": "m = torch.nn.RNNCell(3, 4, nonlinearity='relu')\n"
    + FILL
    + "h = m(x[0, 0])\nh.sum().backward()\ngw = m.weight_ih.grad\n",
    "axis_alias": "m = torch.nn.GRUCell(3, 4)\n"
    + FILL
    + "h = m(x[0])\ni = torch.argmax(h, axis=1)\ns = torch.stack([h, h], axis=2)\n"
    "s.sum().backward()\n",
    "lstm_cell_state_not_a_pair": "m = torch.nn.LSTMCell(3, 4)\nh, c = m(x[0], x[1, :, :4])\n",
    "lstm_cell_state_of_one": "m = torch.nn.LSTMCell(3, 4)\nh, c = m(x[0], (x[1, :, :1],))\n",
    "lstm_cell_state_as_list": "m = torch.nn.LSTMCell(3, 4)\n"
    + FILL
    + "s = [torch.zeros(2, 4), torch.ones(2, 4)]\nh, c = m(x[0], s)\ndel s\n"
    "(h.sum() + c.sum()).backward()\n",
    "lstm_saved_output_written": "m = torch.nn.LSTMCell(3, 4)\n"
    + FILL
    + "h, c = m(x[0])\nwith torch.no_grad():\n    c.mul_(2)\nh.sum().backward()\n",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_recurrent_program_matches_torch(name: str) -> None:
    assert_same(SEQ + PROGRAMS[name] + "del m\n", engine, torch)


@pytest.mark.parametrize(
    ("module", "call", "names"),
    [
        ("GRU(3, 4)", "m(x)", ("StackBackward0", "StackBackward0")),
        ("RNN(3, 4, 2)", "m(x)", ("StackBackward0", "StackBackward0")),
        ("LSTM(3, 4, bidirectional=True)", "m(x)", ("CatBackward0", "StackBackward0")),
        ("LSTM(3, 4, batch_first=True)", "m(x)", ("TransposeBackward0", "StackBackward0")),
        ("LSTM(3, 4)", "m(x[0])", ("SqueezeBackward1", "SqueezeBackward1")),
        ("LSTMCell(3, 4)", "m(x[0])", ("MulBackward0", "AddBackward0")),
    ],
)
def test_recurrent_output_nodes(module: str, call: str, names: tuple[str, str]) -> None:
    """The node each output hangs from, as torch names it, on both backends."""
    for backend in (engine, torch):
        scope: dict[str, object] = {"torch": backend}
        exec(SEQ + f"m = torch.nn.{module}\nout = {call}\n", scope)
        first, second = scope["out"]  # type: ignore[misc]
        if isinstance(second, tuple):
            second = second[0]
        got = (type(first.grad_fn).__name__, type(second.grad_fn).__name__)
        assert got == names, backend.__name__


@pytest.mark.parametrize("module", ["LSTM(3, 4, 2)", "GRU(3, 4)", "RNN(3, 4)"])
def test_recurrent_parameter_names_and_shapes(module: str) -> None:
    shapes = []
    for backend in (engine, torch):
        m = eval(f"backend.nn.{module}", {"backend": backend})
        shapes.append([(n, tuple(p.shape)) for n, p in m.named_parameters()])
    assert shapes[0] == shapes[1]
