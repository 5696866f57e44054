"""Recurrent modules: ``RNN``, ``GRU``, ``LSTM`` and their cells.

Each is composed of registry ops in the order ATen's CPU cells (``RNN.cpp``) apply them, so a
witness that trains one sees torch's values, gradients and, for the cells, ``GRU`` and ``RNN``,
the graph torch records (``AddBackward0`` for a GRU state, ``MulBackward0`` for an LSTM's ``h``).
torch's ``nn.LSTM`` on CPU records one fused ``MkldnnRnnLayerBackward0`` node per layer; here
its graph is the composed cell's, which no witness's verdict depends on.
Parameters are named and shaped as torch's (``weight_ih_l0``, ``bias_hh_l1_reverse``) and
initialised uniform in ``±1/sqrt(hidden_size)``, in place under ``no_grad`` as torch does.
"""

from __future__ import annotations

import math
from typing import Any

from .. import creation, grad_mode, shape_ops
from ..inplace_ops import uniform_
from ..views import make_view
from . import Module, Parameter
from . import functional as F

Ops = Any
"""A tensor: the engine binds its ops onto ``Tensor`` at import, where mypy cannot see them."""

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}


def _param(shape: tuple[int, ...], bound: float) -> Parameter:
    p = Parameter(creation.empty(*shape))
    uniform_(p, -bound, bound)
    return p


def _unsafe_chunk(t: Ops, chunks: int) -> tuple[Ops, ...]:
    """``unsafe_chunk(chunks, 1)``: the gates, as torch's cells cut them."""
    size = t._data.shape[1] // chunks
    bounds = [(i * size, (i + 1) * size) for i in range(chunks)]
    return shape_ops._pieces(t, bounds, 1, "UnsafeSplitBackward0")


def _linear(x: Ops, w: Ops, b: Ops | None) -> Ops:
    result: Ops = F.linear(x, w, b)
    return result


def _unbind(t: Ops) -> list[Ops]:
    """``unbind(0)``: one view per step, as ATen's layer loop takes them."""
    out = []
    for i in range(t._data.shape[0]):
        piece = make_view(t, _select(i), "UnbindBackward0")
        piece._multi_view = (i, "Unbind")
        out.append(piece)
    return out


def _select(i: int) -> Any:
    return lambda a: a[i]


def rnn_cell(x: Ops, h: Ops, p: list[Ops | None], mode: str, projected: bool = False) -> Ops:
    """One tanh/relu step: ``act(linear_hh(h) + linear_ih(x))``; a layer projects its whole
    input first (``projected``), as ATen's full layer does for these cells."""
    w_ih, w_hh, b_ih, b_hh = p
    assert w_ih is not None and w_hh is not None
    pre = _linear(h, w_hh, b_hh) + (x if projected else _linear(x, w_ih, b_ih))
    out: Ops = pre.tanh() if mode == "RNN_TANH" else pre.relu()
    return out


def gru_cell(x: Ops, h: Ops, p: list[Ops | None]) -> Ops:
    """One GRU step in ATen's order: reset, update, new gate, ``(h - n) * z + n``."""
    w_ih, w_hh, b_ih, b_hh = p
    assert w_ih is not None and w_hh is not None
    ir, iz, in_ = _unsafe_chunk(_linear(x, w_ih, b_ih), 3)
    hr, hz, hn = _unsafe_chunk(_linear(h, w_hh, b_hh), 3)
    reset = (hr + ir).sigmoid()
    update = (hz + iz).sigmoid()
    new = (in_ + hn * reset).tanh()
    out: Ops = (h - new).mul_(update).add_(new)
    return out


def lstm_cell(x: Ops, h: Ops, c: Ops, p: list[Ops | None]) -> tuple[Ops, Ops]:
    """One LSTM step in ATen's order: gates ``i, f, g, o``; ``c' = f*c + i*g``, ``h' = o*tanh(c')``."""
    w_ih, w_hh, b_ih, b_hh = p
    assert w_ih is not None and w_hh is not None
    gates = _linear(h, w_hh, b_hh) + _linear(x, w_ih, b_ih)
    i, f, g, o = _unsafe_chunk(gates, 4)
    cy: Ops = (f.sigmoid() * c).add_(i.sigmoid() * g.tanh())
    hy: Ops = o.sigmoid() * cy.tanh()
    return hy, cy


def _zeros(*shape: int, like: Ops) -> Ops:
    return creation.zeros(*shape, dtype=like.dtype)


class _CellBase(Module):
    _mode = ""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        **_: Any,
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        mode = self._mode or ("RNN_RELU" if nonlinearity == "relu" else "RNN_TANH")
        self.mode = mode
        gates = _GATES[mode] * hidden_size
        bound = 1 / math.sqrt(hidden_size) if hidden_size else 0.0
        with grad_mode.no_grad():
            self.weight_ih = _param((gates, input_size), bound)
            self.weight_hh = _param((gates, hidden_size), bound)
            if bias:
                self.bias_ih: Parameter | None = _param((gates,), bound)
                self.bias_hh: Parameter | None = _param((gates,), bound)
            else:
                self.register_parameter("bias_ih", None)
                self.register_parameter("bias_hh", None)

    def _params(self) -> list[Ops | None]:
        return [self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh]


class RNNCell(_CellBase):
    def forward(self, input: Ops, hx: Ops | None = None) -> Ops:
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            h = _zeros(x.shape[0], self.hidden_size, like=x)
        else:
            h = hx if batched else hx.unsqueeze(0)
        out = rnn_cell(x, h, self._params(), self.mode)
        return out if batched else out.squeeze(0)


class GRUCell(_CellBase):
    _mode = "GRU"

    def forward(self, input: Ops, hx: Ops | None = None) -> Ops:
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            h = _zeros(x.shape[0], self.hidden_size, like=x)
        else:
            h = hx if batched else hx.unsqueeze(0)
        out = gru_cell(x, h, self._params())
        return out if batched else out.squeeze(0)


class LSTMCell(_CellBase):
    _mode = "LSTM"

    def forward(self, input: Ops, hx: Any = None) -> tuple[Ops, Ops]:
        batched = input.dim() == 2
        x = input if batched else input.unsqueeze(0)
        if hx is None:
            zero = _zeros(x.shape[0], self.hidden_size, like=x)
            hx = (zero, zero)
        elif not isinstance(hx, tuple | list):
            # torch's argument parser: the state of a cell is the pair ``(h, c)``
            name = type(hx).__name__
            raise TypeError(
                f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not {name}"
            )
        elif len(hx) != 2:
            raise RuntimeError("lstm_cell expects two hidden states")
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        h, c = hx
        hy, cy = lstm_cell(x, h, c, self._params())
        if batched:
            return hy, cy
        return hy.squeeze(0), cy.squeeze(0)


class RNNBase(Module):
    """The multi-layer, optionally bidirectional recurrent module shared by RNN, GRU, LSTM."""

    _mode = ""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        names = ("bias", "batch_first", "dropout", "bidirectional")
        opts: dict[str, Any] = {"bias": True, "batch_first": False, "dropout": 0.0}
        opts["bidirectional"] = False
        nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if not self._mode and args and isinstance(args[0], str):  # RNN(10, 20, 2, "relu")
            nonlinearity, args = args[0], args[1:]
        opts.update(zip(names, args, strict=False))
        opts.update({k: v for k, v in kwargs.items() if k in names})
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bool(opts["bias"]), bool(opts["batch_first"])
        self.dropout, self.bidirectional = float(opts["dropout"]), bool(opts["bidirectional"])
        self.mode = self._mode or ("RNN_RELU" if nonlinearity == "relu" else "RNN_TANH")
        self.nonlinearity = nonlinearity
        gates = _GATES[self.mode] * hidden_size
        bound = 1 / math.sqrt(hidden_size) if hidden_size else 0.0
        directions = 2 if self.bidirectional else 1
        self._flat: list[list[str]] = []
        with grad_mode.no_grad():
            for layer in range(num_layers):
                for direction in range(directions):
                    size = input_size if layer == 0 else hidden_size * directions
                    suffix = f"_l{layer}" + ("_reverse" if direction else "")
                    names_here = [f"weight_ih{suffix}", f"weight_hh{suffix}"]
                    setattr(self, names_here[0], _param((gates, size), bound))
                    setattr(self, names_here[1], _param((gates, hidden_size), bound))
                    if self.bias:
                        names_here += [f"bias_ih{suffix}", f"bias_hh{suffix}"]
                        setattr(self, names_here[2], _param((gates,), bound))
                        setattr(self, names_here[3], _param((gates,), bound))
                    self._flat.append(names_here)

    def _layer_params(self, index: int) -> list[Ops | None]:
        found: list[Ops | None] = [getattr(self, n) for n in self._flat[index]]
        return found + [None] * (4 - len(found))

    def _step(self, x: Ops, state: tuple[Ops, ...], p: list[Ops | None]) -> Any:
        if self.mode == "LSTM":
            return lstm_cell(x, state[0], state[1], p)
        if self.mode == "GRU":
            return (gru_cell(x, state[0], p),)
        return (rnn_cell(x, state[0], p, self.mode, projected=True),)

    def _steps(self, layer_input: Ops, p: list[Ops | None]) -> list[Ops]:
        """The per-step inputs: plain cells get ``linear_ih`` of the whole sequence, unbound."""
        if self.mode in ("LSTM", "GRU"):
            return [layer_input[t] for t in range(layer_input._data.shape[0])]
        return _unbind(_linear(layer_input, p[0], p[2]))

    def forward(self, input: Ops, hx: Any = None) -> tuple[Ops, Any]:
        batched = input.dim() == 3
        x = input if batched else input.unsqueeze(1)
        if batched and self.batch_first:
            x = x.transpose(0, 1)
        steps, batch = x.shape[0], x.shape[1]
        directions = 2 if self.bidirectional else 1
        lstm = self.mode == "LSTM"
        states = self._initial(hx, batched, batch, directions, x)
        finals: list[tuple[Ops, ...]] = []
        layer_input = x
        for layer in range(self.num_layers):
            outputs: list[list[Ops]] = []
            for direction in range(directions):
                index = layer * directions + direction
                state = tuple(s[index] for s in states)
                p = self._layer_params(index)
                order = range(steps - 1, -1, -1) if direction else range(steps)
                seq: list[Ops] = [layer_input] * steps
                inputs = self._steps(layer_input, p)
                for t in order:
                    state = tuple(self._step(inputs[t], state, p))
                    seq[t] = state[0]
                outputs.append(seq)
                finals.append(state)
            if directions == 1:
                layer_out = shape_ops.stack(outputs[0], 0)
            else:
                layer_out = shape_ops.cat(
                    [shape_ops.stack(outputs[0], 0), shape_ops.stack(outputs[1], 0)], 2
                )
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_out = F.dropout(layer_out, self.dropout, True)
            layer_input = layer_out
        output = layer_input
        h_n: Ops = shape_ops.stack([f[0] for f in finals], 0)
        c_n: Ops = shape_ops.stack([f[1] for f in finals], 0) if lstm else None
        if batched and self.batch_first:
            output = output.transpose(0, 1)
        if not batched:
            output = output.squeeze(1)
            h_n = h_n.squeeze(1)
            c_n = c_n.squeeze(1) if c_n is not None else None
        return output, ((h_n, c_n) if lstm else h_n)

    def _initial(
        self, hx: Any, batched: bool, batch: int, directions: int, x: Ops
    ) -> tuple[Ops, ...]:
        """The initial states, each ``(layers * directions, batch, hidden)``: zeros or ``hx``."""
        count = 1 + (self.mode == "LSTM")
        if hx is None:
            zero = _zeros(self.num_layers * directions, batch, self.hidden_size, like=x)
            return (zero,) * count
        given = tuple(hx) if isinstance(hx, tuple | list) else (hx,)
        if not batched:
            given = tuple(h.unsqueeze(1) for h in given)
        return given


class RNN(RNNBase):
    pass


class GRU(RNNBase):
    _mode = "GRU"


class LSTM(RNNBase):
    _mode = "LSTM"
