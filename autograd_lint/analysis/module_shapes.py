"""What a witness's modules need of their input, and what they give back.

A stand-in passed to ``nn.Conv2d(c_in, ...)`` must have ``c_in`` channels, one passed to
``nn.Embedding(n, d)`` must hold indices below ``n``, one passed to ``nn.LSTM(i, h)`` must be
a sequence of ``i`` features. Each rule reads the module's constructor (literal integers, or
names the script binds to one) and gives the input shape to ask for, the output shape for a
known input, and for an embedding the index range. A module this does not know gives nothing,
so its input keeps whatever shape the rest of the script implies.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

Shape = tuple[int, ...]

_CONV_DIMS = {"Conv1d": 1, "Conv2d": 2, "Conv3d": 3}
_RECURRENT = {"LSTM", "GRU", "RNN"}
_SHAPE_KEEPING = {
    "BatchNorm1d",
    "BatchNorm2d",
    "BatchNorm3d",
    "LayerNorm",
    "GroupNorm",
    "InstanceNorm2d",
    "Dropout",
    "Dropout2d",
    "ReLU",
    "LeakyReLU",
    "ELU",
    "GELU",
    "SiLU",
    "Sigmoid",
    "Tanh",
    "Identity",
    "Softmax",
    "LogSoftmax",
}
SEQUENCE_LENGTH = 5
"""Steps of a stand-in sequence: more than the batch size 2, so the two never get confused."""


@dataclass(frozen=True)
class ModuleShape:
    """One constructed module, as far as its input and output shapes go."""

    kind: str
    sizes: tuple[int | None, ...]
    options: dict[str, int | bool]
    children: tuple[ModuleShape | None, ...] = ()
    """For ``nn.Sequential``: its modules in order (``None`` for one this does not know)."""

    def input_shape(self) -> Shape | None:
        """The shape a stand-in input should get, or ``None`` where any shape fits."""
        if self.kind == "Sequential":
            for child in self.children:
                if child is None or child.kind not in _SHAPE_KEEPING:
                    return child.input_shape() if child is not None else None
            return None
        first = self.sizes[0] if self.sizes else None
        if self.kind == "Linear" and first is not None:
            return (2, first)
        if self.kind in _CONV_DIMS and first is not None:
            return (2, first) + (8,) * _CONV_DIMS[self.kind]
        if self.kind == "Embedding":
            return (2, 4)
        if self.kind in _RECURRENT and first is not None:
            if self.options.get("batch_first"):
                return (2, SEQUENCE_LENGTH, first)
            return (SEQUENCE_LENGTH, 2, first)
        if self.kind in ("LSTMCell", "GRUCell", "RNNCell") and first is not None:
            return (2, first)
        return None

    def input_for(self, wanted: Shape) -> Shape | None:
        """An input of the shape :meth:`input_shape` asks for, with the spatial size that
        gives an output of shape ``wanted`` (a discriminator whose last convolution's kernel
        spans its whole input, so each sample gives one score: a 4x4 input to a 4x4
        kernel); ``None`` where no size up to 32 does."""
        base = self.input_shape()
        if base is None or len(base) < 3:
            return None
        spatial = len(base) - 2
        for size in range(1, 33):
            candidate = (*base[:2], *(size,) * spatial)
            if self.output_shape(candidate) == wanted:
                return candidate
        return None

    def hidden_shape(self, given: Shape | None) -> Shape | None:
        """For ``nn.RNN``/``nn.GRU``/``nn.LSTM``: the initial hidden state an input of shape
        ``given`` takes, ``(layers * directions, batch, hidden)``; for a cell given a batch
        ``(batch, input)``: ``(batch, hidden)``. An LSTM's state is a pair of tensors of
        that shape (:mod:`state_pairs` writes its stand-in as one)."""
        hidden = self.sizes[1] if len(self.sizes) > 1 else self.options.get("hidden_size")
        if not isinstance(hidden, int) or isinstance(hidden, bool) or given is None:
            return None
        if self.kind in {"LSTMCell", "GRUCell", "RNNCell"}:
            return (given[0], hidden) if len(given) == 2 else None
        if self.kind not in _RECURRENT or len(given) != 3:
            return None
        layers = self.sizes[2] if len(self.sizes) > 2 else self.options.get("num_layers", 1)
        if not isinstance(layers, int) or isinstance(layers, bool):
            return None
        directions = 2 if self.options.get("bidirectional") is True else 1
        batch = given[0] if self.options.get("batch_first") is True else given[1]
        return (layers * directions, batch, hidden)

    def index_range(self) -> int | None:
        """For an embedding: the number of rows, which every index must stay below."""
        if self.kind == "Sequential" and self.children and self.children[0] is not None:
            return self.children[0].index_range()
        return self.sizes[0] if self.kind == "Embedding" and self.sizes else None

    def output_shape(self, given: Shape | None) -> Shape | None:
        """The output for an input of shape ``given`` (``None`` where it cannot tell)."""
        if self.kind in _SHAPE_KEEPING:
            return given
        if self.kind == "Sequential":
            for child in self.children:
                given = child.output_shape(given) if child is not None else None
            return given
        if self.kind == "Flatten":
            return self._flattened(given)
        if given is None or len(self.sizes) < 2 or self.sizes[1] is None:
            return None
        out = self.sizes[1]
        if self.kind == "Linear":
            return (*given[:-1], out) if given else None
        if self.kind == "Embedding":
            return (*given, out)
        if self.kind in _CONV_DIMS:
            return self._conv_output(given, out)
        if self.kind in _RECURRENT and len(given) in (2, 3):
            # the output sequence (the first of the pair returned): one hidden state a step
            directions = 2 if self.options.get("bidirectional") is True else 1
            return (*given[:-1], out * directions)
        return None

    def _flattened(self, given: Shape | None) -> Shape | None:
        """``nn.Flatten(start_dim=1, end_dim=-1)``: the dimensions from start to end as one."""
        if given is None:
            return None
        start = self.sizes[0] if self.sizes else self.options.get("start_dim", 1)
        end = self.sizes[1] if len(self.sizes) > 1 else self.options.get("end_dim", -1)
        if not isinstance(start, int) or not isinstance(end, int) or not given:
            return None
        first, last = start % len(given), end % len(given)
        if first > last:
            return None
        merged = 1
        for size in given[first : last + 1]:
            merged *= size
        return (*given[:first], merged, *given[last + 1 :])

    def _conv_output(self, given: Shape, out: int) -> Shape | None:
        dims = _CONV_DIMS[self.kind]
        if len(given) != dims + 2 or len(self.sizes) < 3 or self.sizes[2] is None:
            return None
        kernel, stride = self.sizes[2], int(self.options.get("stride", 1))
        padding, dilation = (
            int(self.options.get("padding", 0)),
            int(self.options.get("dilation", 1)),
        )
        spatial = tuple(
            (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1 for size in given[2:]
        )
        if any(s <= 0 for s in spatial):
            return None
        return (given[0], out, *spatial)


def _module_kind(call: ast.Call) -> str | None:
    """``nn.Conv2d``/``torch.nn.Conv2d``/``Conv2d`` -> ``"Conv2d"``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        base = func.value
        inner = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", None)
        return func.attr if inner == "nn" else None
    return func.id if isinstance(func, ast.Name) and func.id in _KNOWN else None


_KNOWN = {
    "Linear",
    "Embedding",
    "LSTMCell",
    "GRUCell",
    "RNNCell",
    "Sequential",
    "Flatten",
    *_CONV_DIMS,
    *_RECURRENT,
}


def _integer(node: ast.expr, integers: dict[str, int]) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name):
        return integers.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Add | ast.Sub):
        left, right = _integer(node.left, integers), _integer(node.right, integers)
        if left is None or right is None:
            return None  # ``4 * 6 * 6`` in features
        if isinstance(node.op, ast.Mult):
            return left * right
        return left + right if isinstance(node.op, ast.Add) else left - right
    if isinstance(node, ast.Tuple) and node.elts:
        first = _integer(node.elts[0], integers)
        same = all(_integer(e, integers) == first for e in node.elts)
        return first if same else None  # a square kernel ``(3, 3)`` is ``3``
    return None


def module_shape(call: ast.Call, integers: dict[str, int]) -> ModuleShape | None:
    """The rule for the module ``call`` constructs, or ``None`` for an unknown call."""
    kind = _module_kind(call)
    if kind == "Sequential":
        children = tuple(
            module_shape(a, integers) if isinstance(a, ast.Call) else None for a in call.args
        )
        return ModuleShape(kind, (), {}, children) if children else None
    if kind is None or (kind not in _KNOWN and kind not in _SHAPE_KEEPING):
        return None
    sizes = tuple(_integer(a, integers) for a in call.args if not isinstance(a, ast.Starred))
    options: dict[str, int | bool] = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            continue
        if isinstance(keyword.value, ast.Constant) and type(keyword.value.value) is bool:
            options[keyword.arg] = keyword.value.value
            continue
        value = _integer(keyword.value, integers)
        if value is not None:
            options[keyword.arg] = value
    names = {"in_channels": 0, "out_channels": 1, "kernel_size": 2, "in_features": 0}
    names |= {"out_features": 1, "num_embeddings": 0, "embedding_dim": 1, "input_size": 0}
    padded = list(sizes) + [None] * 3
    for name, index in names.items():
        if name in options and not isinstance(options[name], bool):
            padded[index] = int(options[name])
    while padded and padded[-1] is None:
        padded.pop()
    return ModuleShape(kind, tuple(padded), options)
