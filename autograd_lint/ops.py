"""The op registry: what every torch call autograd-lint understands does to autograd state.

One entry per op. The static analyzer reads it to know what is saved for backward, what
aliases what and what writes in place; the mini engine (``runtime_check/engine``) reads the
same entries to implement the ops. A fact about torch is written here once, and the
differential tests against real torch check it.

Saving rules (``SaveRule``) follow torch's ``derivatives.yaml``:

- ``"always"``: the input is saved whenever the op is recorded in the graph
  (``sin`` saves ``self``; ``div`` saves ``other``).
- ``"cross"``: the input is saved only when another tensor input requires grad
  (``mul`` saves ``other`` to compute the gradient of ``self``).
- ``"never"``: not saved (``add``, ``sum``) — a second backward through such a node works.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

SaveRule = Literal["always", "cross", "never"]
OpKind = Literal[
    "math",  # differentiable computation producing a new tensor
    "view",  # result aliases the input's storage and version counter
    "maybe_view",  # may or may not alias (reshape, contiguous, flatten): alias unknown
    "copy",  # a new tensor with its own storage, still differentiable (clone)
    "detach",  # aliases storage and version counter, cut from the graph
    "nondiff",  # result never requires grad (argmax, comparisons)
    "loss",  # differentiable loss function (reduces to a scalar by default)
]


class OpSpec(NamedTuple):
    """One differentiable (or explicitly non-differentiable) torch operation.

    A named tuple rather than a dataclass: the sandbox worker imports this registry on
    every cold replay, and a frozen dataclass costs several times more to define.
    """

    name: str
    kind: OpKind
    inputs: tuple[str, ...] = ("self",)
    """Names of the tensor arguments, in positional order."""
    saves: tuple[SaveRule, ...] = ("never",)
    """One rule per tensor input."""
    saves_output: bool = False
    backward_node: str | None = None
    """grad_fn name torch gives the result, e.g. ``SigmoidBackward0``."""
    inplace: str | None = None
    """Name of the in-place method twin (``sigmoid_``)."""
    method: bool = True
    """Available as ``tensor.<name>(...)``."""
    function: bool = True
    """Available as ``torch.<name>(...)``."""
    functional: bool = False
    """Available as ``torch.nn.functional.<name>(...)``."""
    operator: str | None = None
    """Python operator spelling (``*``); binary unless ``unary_operator``."""
    reduces: bool = False
    """Result is a reduction (a scalar without ``dim``)."""
    saves_internal: bool = False
    """The recorded graph saves intermediates of its own (``l1_loss`` saves ``input - target``):
    a second backward through it fails even though no input or output is saved."""

    def saved_inputs(self, requires_grad: tuple[bool, ...]) -> tuple[int, ...]:
        """Indices of the inputs this op saves, given which inputs require grad.

        Nothing is saved unless some input requires grad (the op is not recorded).
        """
        if not any(requires_grad):
            return ()
        saved = []
        rules = self.saves[: len(requires_grad)]
        for i, rule in enumerate(rules):
            # an additive input (``never``: linear's bias) needs no other input for its
            # gradient, so it does not make them saved
            others = any(rg for j, rg in enumerate(requires_grad) if j != i and rules[j] != "never")
            if rule == "always" or (rule == "cross" and others):
                saved.append(i)
        return tuple(saved)


def _unary(
    name: str,
    node: str,
    *,
    saves_self: bool = False,
    saves_output: bool = False,
    inplace: bool = True,
    functional: bool = False,
    method: bool = True,
    function: bool = True,
) -> OpSpec:
    return OpSpec(
        name=name,
        kind="math",
        inputs=("self",),
        saves=("always",) if saves_self else ("never",),
        saves_output=saves_output,
        backward_node=node,
        inplace=f"{name}_" if inplace else None,
        functional=functional,
        method=method,
        function=function,
    )


def _binary(
    name: str,
    node: str,
    saves: tuple[SaveRule, SaveRule],
    *,
    operator: str | None = None,
    inplace: bool = True,
) -> OpSpec:
    return OpSpec(
        name=name,
        kind="math",
        inputs=("self", "other"),
        saves=saves,
        backward_node=node,
        inplace=f"{name}_" if inplace else None,
        operator=operator,
    )


def _view(name: str, node: str, *, function: bool = True) -> OpSpec:
    return OpSpec(name=name, kind="view", backward_node=node, function=function)


def _reduction(
    name: str, node: str, *, saves_self: bool = False, saves_output: bool = False
) -> OpSpec:
    return OpSpec(
        name=name,
        kind="math",
        saves=("always",) if saves_self else ("never",),
        saves_output=saves_output,
        backward_node=node,
        reduces=True,
    )


def _loss(
    name: str,
    node: str,
    saves: tuple[SaveRule, SaveRule] = ("always", "always"),
    *,
    internal: bool = False,
) -> OpSpec:
    return OpSpec(
        name=name,
        kind="loss",
        inputs=("input", "target"),
        saves=saves,
        backward_node=node,
        method=False,
        function=False,
        functional=True,
        reduces=True,
        saves_internal=internal,
    )


_SPECS: tuple[OpSpec, ...] = (
    # arithmetic
    _binary("add", "AddBackward0", ("never", "never"), operator="+"),
    _binary("sub", "SubBackward0", ("never", "never"), operator="-"),
    _binary("mul", "MulBackward0", ("cross", "cross"), operator="*"),
    _binary("div", "DivBackward0", ("cross", "always"), operator="/"),
    _binary("matmul", "MmBackward0", ("cross", "cross"), operator="@", inplace=False),
    _binary("mm", "MmBackward0", ("cross", "cross"), inplace=False),
    OpSpec(
        name="pow",
        kind="math",
        inputs=("self", "exponent"),
        saves=("always", "always"),
        backward_node="PowBackward0",
        inplace="pow_",
        operator="**",
    ),
    _unary("neg", "NegBackward0"),
    # unary math
    _unary("exp", "ExpBackward0", saves_output=True),
    _unary("log", "LogBackward0", saves_self=True),
    _unary("sin", "SinBackward0", saves_self=True),
    _unary("cos", "CosBackward0", saves_self=True),
    _unary("sqrt", "SqrtBackward0", saves_output=True),
    _unary("abs", "AbsBackward0", saves_self=True),
    _unary("square", "PowBackward0", saves_self=True),
    OpSpec(
        name="clamp",
        kind="math",
        saves=("always",),
        backward_node="ClampBackward1",
        inplace="clamp_",
    ),
    # activations
    _unary("sigmoid", "SigmoidBackward0", saves_output=True, functional=True),
    _unary("tanh", "TanhBackward0", saves_output=True, functional=True),
    _unary("relu", "ReluBackward0", saves_output=True, functional=True),
    _unary("gelu", "GeluBackward0", saves_self=True, functional=True, inplace=False, method=False),
    _unary(
        "silu",
        "SiluBackward0",
        saves_self=True,
        functional=True,
        inplace=False,
        method=False,
        function=False,
    ),
    _unary(
        "leaky_relu",
        "LeakyReluBackward0",
        saves_self=True,
        functional=True,
        inplace=False,
        method=False,
        function=False,
    ),
    OpSpec(
        name="softmax",
        kind="math",
        saves_output=True,
        backward_node="SoftmaxBackward0",
        functional=True,
    ),
    OpSpec(
        name="log_softmax",
        kind="math",
        saves_output=True,
        backward_node="LogSoftmaxBackward0",
        functional=True,
    ),
    # reductions
    _reduction("sum", "SumBackward0"),
    _reduction("mean", "MeanBackward0"),
    _reduction("prod", "ProdBackward0", saves_self=True, saves_output=True),
    _reduction("norm", "LinalgVectorNormBackward0", saves_self=True, saves_output=True),
    # views and copies
    _view("view", "ViewBackward0", function=False),
    _view("t", "TBackward0"),
    _view("transpose", "TransposeBackward0"),
    _view("permute", "PermuteBackward0"),
    _view("unsqueeze", "UnsqueezeBackward0"),
    _view("squeeze", "SqueezeBackward0"),
    _view("expand", "ExpandBackward0", function=False),
    _view("__getitem__", "SelectBackward0", function=False),
    OpSpec(name="reshape", kind="maybe_view", backward_node="ViewBackward0"),
    OpSpec(name="flatten", kind="maybe_view", backward_node="ViewBackward0"),
    OpSpec(name="contiguous", kind="maybe_view", function=False),
    OpSpec(name="clone", kind="copy", backward_node="CloneBackward0"),
    OpSpec(name="detach", kind="detach"),
    # non-differentiable results
    OpSpec(name="argmax", kind="nondiff"),
    OpSpec(name="argmin", kind="nondiff"),
    OpSpec(name="eq", kind="nondiff", inputs=("self", "other"), saves=("never", "never")),
    OpSpec(name="gt", kind="nondiff", inputs=("self", "other"), saves=("never", "never")),
    OpSpec(name="lt", kind="nondiff", inputs=("self", "other"), saves=("never", "never")),
    # nn.functional
    OpSpec(
        name="linear",
        kind="math",
        inputs=("input", "weight", "bias"),
        saves=("cross", "cross", "never"),
        backward_node="AddmmBackward0",
        method=False,
        function=False,
        functional=True,
    ),
    _loss("mse_loss", "MseLossBackward0"),
    _loss("l1_loss", "MeanBackward0", ("never", "never"), internal=True),
    _loss("cross_entropy", "NllLossBackward0", ("never", "always"), internal=True),
    _loss("nll_loss", "NllLossBackward0"),
    _loss("binary_cross_entropy", "BinaryCrossEntropyBackward0"),
    _loss("binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0"),
)

OPS: Mapping[str, OpSpec] = {spec.name: spec for spec in _SPECS}
"""Every op by canonical name."""

OPERATORS: Mapping[str, str] = {spec.operator: spec.name for spec in _SPECS if spec.operator}
"""Python binary operator spelling -> op name."""

INPLACE_TWINS: Mapping[str, str] = {spec.inplace: spec.name for spec in _SPECS if spec.inplace}
"""In-place method name (``sigmoid_``) -> op name (``sigmoid``)."""

INPLACE_METHODS: frozenset[str] = frozenset(
    set(INPLACE_TWINS)
    | {
        "zero_",
        "fill_",
        "copy_",
        "normal_",
        "uniform_",
        "masked_fill_",
        "clamp_min_",
        "clamp_max_",
        "addcmul_",
        "addcdiv_",
        "lerp_",
        "index_add_",
        "scatter_",
    }
)
"""Methods that write into their receiver (bumping its version counter)."""

AUGMENTED_INPLACE: Mapping[str, str] = {
    "+=": "add_",
    "-=": "sub_",
    "*=": "mul_",
    "/=": "div_",
    "**=": "pow_",
}
"""Augmented assignment on a tensor -> the in-place method torch calls."""

CREATION_FUNCTIONS: frozenset[str] = frozenset(
    {
        "tensor",
        "randn",
        "rand",
        "randint",
        "zeros",
        "ones",
        "empty",
        "full",
        "arange",
        "linspace",
        "eye",
        "randn_like",
        "rand_like",
        "zeros_like",
        "ones_like",
        "empty_like",
        "full_like",
        "as_tensor",
        "from_numpy",
    }
)
"""``torch.<name>(...)`` constructors: a fresh leaf; requires grad only with ``requires_grad=True``."""

NON_TENSOR_METHODS: frozenset[str] = frozenset({"item", "tolist", "numpy", "dim", "size", "numel"})
"""Methods whose result is a Python value or array, never a tensor in the graph."""

GRAD_MODE_CONTEXTS: Mapping[str, bool | None] = {
    "no_grad": False,
    "inference_mode": False,
    "enable_grad": True,
    "set_grad_enabled": None,  # depends on its argument
}
"""``torch.<name>()`` context managers / decorators and the grad mode they set."""


class ModuleSpec(NamedTuple):
    """An ``nn`` module class: what calling an instance does."""

    name: str
    op: str | None
    """Registry op a call applies (``Linear`` -> ``linear``); ``None`` when opaque."""
    has_parameters: bool
    saves_input: bool
    """A call surely saves its input for backward (known for Linear, Conv, losses)."""


_MODULES: tuple[ModuleSpec, ...] = (
    ModuleSpec("Linear", "linear", True, True),
    ModuleSpec("Bilinear", None, True, True),
    ModuleSpec("Conv1d", None, True, True),
    ModuleSpec("Conv2d", None, True, True),
    ModuleSpec("Conv3d", None, True, True),
    ModuleSpec("Embedding", None, True, False),
    ModuleSpec("LayerNorm", None, True, True),
    ModuleSpec("BatchNorm1d", None, True, True),
    ModuleSpec("BatchNorm2d", None, True, True),
    ModuleSpec("LSTM", None, True, True),
    ModuleSpec("GRU", None, True, True),
    ModuleSpec("RNN", None, True, True),
    ModuleSpec("Sequential", None, True, False),
    ModuleSpec("ModuleList", None, True, False),
    ModuleSpec("ReLU", "relu", False, False),
    ModuleSpec("Sigmoid", "sigmoid", False, False),
    ModuleSpec("Tanh", "tanh", False, False),
    ModuleSpec("GELU", "gelu", False, False),
    ModuleSpec("Softmax", "softmax", False, False),
    ModuleSpec("LogSoftmax", "log_softmax", False, False),
    ModuleSpec("Dropout", None, False, False),
    ModuleSpec("Identity", None, False, False),
    ModuleSpec("MSELoss", "mse_loss", False, False),
    ModuleSpec("L1Loss", "l1_loss", False, False),
    ModuleSpec("CrossEntropyLoss", "cross_entropy", False, False),
    ModuleSpec("NLLLoss", "nll_loss", False, False),
    ModuleSpec("BCELoss", "binary_cross_entropy", False, False),
    ModuleSpec("BCEWithLogitsLoss", "binary_cross_entropy_with_logits", False, False),
)

MODULES: Mapping[str, ModuleSpec] = {m.name: m for m in _MODULES}
"""``torch.nn.<Name>`` classes by name."""

CONTAINER_MODULES: frozenset[str] = frozenset({"Sequential", "ModuleList", "ModuleDict"})
"""Modules that hold submodules: their parameters are their children's; calling a
``Sequential`` calls each child on the previous one's output."""

INPLACE_ACTIVATIONS: Mapping[str, tuple[str, bool]] = {
    # module -> (the in-place op its ``inplace=True`` call runs, whether it saves its output)
    "ReLU": ("relu_", True),
    "ReLU6": ("hardtanh_", True),
    "LeakyReLU": ("leaky_relu_", True),
    "ELU": ("elu_", True),
    "CELU": ("celu_", True),
    "SELU": ("selu_", True),
    "Hardtanh": ("hardtanh_", True),
    "Threshold": ("threshold_", True),
    "SiLU": ("silu_", False),
    "Hardswish": ("hardswish_", False),
    "Hardsigmoid": ("hardsigmoid_", False),
    "Mish": ("mish_", False),
    "RReLU": ("rrelu_", False),
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

AUTOGRAD_VOCABULARY: tuple[str, ...] = ("backward", ".data", "clone", "tensor(", "autograd")
"""Substrings without which a file cannot contain a finding; such files are not parsed."""


def method_op(name: str) -> OpSpec | None:
    """The op a ``tensor.<name>(...)`` call performs, if it is in the registry."""
    spec = OPS.get(name)
    return spec if spec is not None and spec.method else None


def function_op(name: str) -> OpSpec | None:
    """The op a ``torch.<name>(...)`` call performs, if it is in the registry."""
    spec = OPS.get(name)
    return spec if spec is not None and spec.function else None


def functional_op(name: str) -> OpSpec | None:
    """The op a ``torch.nn.functional.<name>(...)`` call performs, if it is in the registry."""
    spec = OPS.get(name)
    return spec if spec is not None and spec.functional else None
