"""The ``torch.nn`` module classes the analysis knows: what calling an instance does.

Kept apart from the op registry (``ops.py``): an op is a function on tensors, a module is a
class whose instances hold parameters and apply an op (or a sequence of them) when called.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple


class ModuleSpec(NamedTuple):
    """An ``nn`` module class: what calling an instance does."""

    name: str
    op: str | None
    """Registry op a call applies (``Linear`` -> ``linear``); ``None`` when opaque."""
    has_parameters: bool
    saves_input: bool
    """A call surely saves its input for backward (known for Linear, Conv, losses)."""
    inplace_kwarg: bool = False
    """Constructed with ``inplace=True`` (keyword, or the documented positional slot), a call
    runs the op's in-place form on its input: the input's version is bumped, and a tensor
    saved by an earlier op is invalidated exactly as by ``x.relu_()``."""
    tuple_output: int = 0
    """A call returns a tuple: 2 for the recurrent modules, ``(output, h_n)`` for ``RNN`` and
    ``GRU``, ``(output, (h_n, c_n))`` for ``LSTM`` and ``(h_1, c_1)`` for ``LSTMCell``; 0 for
    a single tensor (``GRUCell`` and ``RNNCell`` return the next hidden state alone)."""
    container: bool = False
    """A container of submodules (``Sequential``, ``ModuleList``, ``ModuleDict``): calling a
    ``Sequential`` applies its children in order; the others are not callable."""


_MODULES: tuple[ModuleSpec, ...] = (
    ModuleSpec("Linear", "linear", True, True),
    ModuleSpec("Bilinear", None, True, True),
    ModuleSpec("Conv1d", "conv1d", True, True),
    ModuleSpec("Conv2d", "conv2d", True, True),
    ModuleSpec("Conv3d", None, True, True),
    ModuleSpec("Embedding", "embedding", True, False),
    ModuleSpec("LayerNorm", "layer_norm", True, True),
    ModuleSpec("GroupNorm", "group_norm", True, True),
    ModuleSpec("BatchNorm1d", "batch_norm", True, True),
    ModuleSpec("BatchNorm2d", "batch_norm", True, True),
    ModuleSpec("MaxPool2d", "max_pool2d", False, True),
    ModuleSpec("AvgPool2d", "avg_pool2d", False, True),
    ModuleSpec("AdaptiveAvgPool2d", "adaptive_avg_pool2d", False, True),
    ModuleSpec("Upsample", "interpolate", False, False),
    ModuleSpec("UpsamplingNearest2d", "interpolate", False, False),
    ModuleSpec("UpsamplingBilinear2d", "interpolate", False, False),
    ModuleSpec("LSTM", None, True, True, tuple_output=2),
    ModuleSpec("GRU", None, True, True, tuple_output=2),
    ModuleSpec("RNN", None, True, True, tuple_output=2),
    ModuleSpec("LSTMCell", None, True, True, tuple_output=2),
    ModuleSpec("GRUCell", None, True, True),
    ModuleSpec("RNNCell", None, True, True),
    ModuleSpec("Sequential", None, True, False, container=True),
    ModuleSpec("ModuleList", None, True, False, container=True),
    ModuleSpec("ModuleDict", None, True, False, container=True),
    ModuleSpec("ReLU", "relu", False, False, inplace_kwarg=True),
    ModuleSpec("LeakyReLU", "leaky_relu", False, False, inplace_kwarg=True),
    ModuleSpec("ELU", "elu", False, False, inplace_kwarg=True),
    ModuleSpec("Hardtanh", "hardtanh", False, False, inplace_kwarg=True),
    ModuleSpec("Sigmoid", "sigmoid", False, False),
    ModuleSpec("Tanh", "tanh", False, False),
    ModuleSpec("GELU", "gelu", False, False),
    ModuleSpec("SiLU", "silu", False, False),
    ModuleSpec("Softplus", "softplus", False, False),
    ModuleSpec("Softmax", "softmax", False, False),
    ModuleSpec("LogSoftmax", "log_softmax", False, False),
    ModuleSpec("Dropout", "dropout", False, False, inplace_kwarg=True),
    ModuleSpec("Identity", None, False, False),
    ModuleSpec("Flatten", "flatten", False, False),
    ModuleSpec("MSELoss", "mse_loss", False, False),
    ModuleSpec("L1Loss", "l1_loss", False, False),
    ModuleSpec("SmoothL1Loss", "smooth_l1_loss", False, False),
    ModuleSpec("KLDivLoss", "kl_div", False, False),
    ModuleSpec("CrossEntropyLoss", "cross_entropy", False, False),
    ModuleSpec("NLLLoss", "nll_loss", False, False),
    ModuleSpec("BCELoss", "binary_cross_entropy", False, False),
    ModuleSpec("BCEWithLogitsLoss", "binary_cross_entropy_with_logits", False, False),
)

MODULES: Mapping[str, ModuleSpec] = {m.name: m for m in _MODULES}
"""``torch.nn.<Name>`` classes by name."""

BASES: Mapping[str, str] = {"UpsamplingNearest2d": "Upsample", "UpsamplingBilinear2d": "Upsample"}
"""The registry classes that subclass another registry class (a test checks this is every
such pair in torch): ``isinstance(nn.UpsamplingNearest2d(...), nn.Upsample)`` is true."""

CONTAINER_MODULES: frozenset[str] = frozenset(m.name for m in _MODULES if m.container)
"""Modules that hold submodules: their parameters are their children's; calling a
``Sequential`` calls each child on the previous one's output."""

INPLACE_ACTIVATIONS: Mapping[str, tuple[str, bool]] = {
    # module -> (the in-place op its ``inplace=True`` call runs, whether it saves its output)
    "ReLU": ("relu_", True),
    "ReLU6": ("hardtanh_", False),
    "LeakyReLU": ("leaky_relu_", True),
    "ELU": ("elu_", True),
    "CELU": ("celu_", True),
    "SELU": ("selu_", True),
    "Hardtanh": ("hardtanh_", False),
    "Threshold": ("threshold_", False),
    "SiLU": ("silu_", False),
    "Hardswish": ("hardswish_", False),
    "Hardsigmoid": ("hardsigmoid_", False),
    "Mish": ("mish_", False),
    "RReLU": ("rrelu_", True),
    "Dropout": ("dropout_", False),
    "Dropout1d": ("dropout_", False),
    "Dropout2d": ("dropout_", False),
    "Dropout3d": ("dropout_", False),
    "AlphaDropout": ("dropout_", False),
}
"""``nn.<Name>(inplace=True)`` overwrites its input (bumping its version, so a backward that
saved the input raises). ``F.<name>(x, inplace=True)`` and ``F.<name>_`` do the same."""

INPLACE_FUNCTIONAL: Mapping[str, bool] = {
    method: saves_output for method, saves_output in INPLACE_ACTIVATIONS.values()
}
"""``F.<op>_`` / ``torch.<op>_`` in-place activations, and whether each saves its output."""

OPTIMIZERS: frozenset[str] = frozenset({"SGD", "Adam", "AdamW", "RMSprop", "Adagrad"})
"""``torch.optim.<Name>``: ``step()`` updates every parameter in place."""
