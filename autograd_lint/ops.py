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
    tuple_output: int = 0
    """How many tensors the op returns as a tuple: 0 for a single tensor, 2 for
    ``(values, indices)`` (``max(dim)``, ``topk``), -1 when the count depends on the arguments
    (``split``, ``chunk``). Only output 0 is differentiable for the fixed-size tuples; every
    output of ``split``/``chunk`` is a view of the input (see ``multi_view``)."""
    saved_outputs: tuple[int, ...] = ()
    """Indices of tuple outputs other than 0 that the op saves (``max(dim)`` saves output 1, its
    indices): writing one in place before backward fails, although it never requires grad."""
    multi_view: bool = False
    """The outputs are views made by one node (``split``, ``chunk``): torch forbids writing any
    of them in place while grad mode is on and the input requires grad
    ("Output 0 of Split is a view and is being modified inplace...")."""
    list_input: bool = False
    """The first tensor argument is a sequence of tensors (``cat``, ``stack``)."""
    inplace_kwarg: bool = False
    """``F.<name>(x, inplace=True)`` (and the module's ``inplace=True``) runs the in-place twin:
    it writes into ``x`` and bumps its version."""
    overloads: tuple[str, ...] = ()
    """Names in ``OVERLOADS`` of the other forms of this call (``max.dim``, ``max.other``);
    which form applies is decided by the arguments, as the overload's docs say."""

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
    _unary("sign", "SignBackward0"),
    OpSpec(
        name="renorm",
        kind="math",
        saves=("always",),
        backward_node="RenormBackward0",
        inplace="renorm_",
    ),
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
    _unary("relu", "ReluBackward0", saves_output=True, functional=True)._replace(
        inplace_kwarg=True
    ),
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
    )._replace(inplace_kwarg=True),
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
    # tiling and resampling copy; backward needs only sizes and scales (derivatives.yaml)
    OpSpec(name="repeat", kind="math", backward_node="RepeatBackward0", function=False),
    OpSpec(
        name="interpolate",
        kind="math",
        inputs=("input",),
        backward_node="UpsampleNearest2DBackward0",  # by mode and rank: UpsampleBilinear2D...
        method=False,
        function=False,
        functional=True,
    ),
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
    # kl_div is a composition in torch (xlogy, mul, sub, then the reduction's node)
    _loss("kl_div", "MeanBackward0", ("cross", "always"), internal=True),
    _loss("smooth_l1_loss", "SmoothL1LossBackward0"),
    # joining, splitting, selecting
    OpSpec(
        name="cat",
        kind="math",
        inputs=("tensors",),
        backward_node="CatBackward0",
        method=False,
        list_input=True,
    ),
    OpSpec(
        name="stack",
        kind="math",
        inputs=("tensors",),
        backward_node="StackBackward0",
        method=False,
        list_input=True,
    ),
    OpSpec(
        name="split",
        kind="view",
        backward_node="SplitBackward0",
        tuple_output=-1,
        multi_view=True,
        overloads=("split.sizes",),
    ),
    OpSpec(
        name="chunk", kind="view", backward_node="SplitBackward0", tuple_output=-1, multi_view=True
    ),
    OpSpec(
        name="where",
        kind="math",
        inputs=("condition", "self", "other"),
        saves=("always", "never", "never"),
        backward_node="WhereBackward0",
        method=False,  # ``x.where(condition, y)`` puts self first: see ``methods.py``
    ),
    OpSpec(
        name="max",
        kind="math",
        saves=("always",),
        saves_output=True,
        backward_node="MaxBackward1",
        reduces=True,
        overloads=("max.dim", "max.other"),
    ),
    OpSpec(
        name="min",
        kind="math",
        saves=("always",),
        saves_output=True,
        backward_node="MinBackward1",
        reduces=True,
        overloads=("min.dim", "min.other"),
    ),
    _binary("maximum", "MaximumBackward0", ("always", "always"), inplace=False),
    _binary("minimum", "MinimumBackward0", ("always", "always"), inplace=False),
    OpSpec(
        name="topk",
        kind="math",
        backward_node="TopkBackward0",
        tuple_output=2,
        saved_outputs=(1,),
    ),
    OpSpec(
        name="gather",
        kind="math",
        inputs=("self", "index"),  # gather(self, dim, index)
        saves=("always", "always"),
        backward_node="GatherBackward0",
    ),
    OpSpec(
        name="scatter",
        kind="math",
        inputs=("self", "index", "src"),  # scatter(self, dim, index, src)
        saves=("never", "always", "never"),
        backward_node="ScatterBackward0",
        inplace="scatter_",
    ),
    OpSpec(
        name="index_select",
        kind="math",
        inputs=("self", "index"),  # index_select(self, dim, index)
        saves=("never", "always"),
        backward_node="IndexSelectBackward0",
    ),
    OpSpec(
        name="masked_fill",
        kind="math",
        inputs=("self", "mask"),
        saves=("never", "always"),
        backward_node="MaskedFillBackward0",
        inplace="masked_fill_",
    ),
    # batched matrix products
    _binary("bmm", "BmmBackward0", ("cross", "cross"), inplace=False),
    OpSpec(
        name="baddbmm",
        kind="math",
        inputs=("self", "batch1", "batch2"),
        saves=("never", "cross", "cross"),
        backward_node="BaddbmmBackward0",
        inplace="baddbmm_",
    ),
    # more nn.functional
    OpSpec(
        name="softplus",
        kind="math",
        saves=("always",),
        backward_node="SoftplusBackward0",
        method=False,
        function=False,
        functional=True,
    ),
    OpSpec(
        name="normalize",
        kind="math",
        inputs=("input",),
        saves=("always",),  # div saves the input for the norm's gradient
        backward_node="DivBackward0",
        method=False,
        function=False,
        functional=True,
        saves_internal=True,
    ),
    OpSpec(
        name="dropout",
        kind="math",
        inputs=("input",),
        backward_node="MulBackward0",  # the identity (the input itself) for p=0 or eval
        method=False,
        function=False,
        functional=True,
        saves_internal=True,  # the mask
        inplace_kwarg=True,
    ),
    OpSpec(
        name="embedding",
        kind="math",
        inputs=("input", "weight"),
        saves=("always", "never"),
        backward_node="EmbeddingBackward0",
        method=False,
        function=False,
        functional=True,
    ),
    OpSpec(
        name="elu",
        kind="math",
        saves=("always",),
        backward_node="EluBackward0",
        method=False,
        function=False,
        functional=True,
        inplace_kwarg=True,
    ),
    OpSpec(
        name="hardtanh",
        kind="math",
        saves=("always",),
        backward_node="HardtanhBackward0",
        method=False,
        function=False,
        functional=True,
        inplace_kwarg=True,
    ),
    # convolution, pooling, normalisation
    OpSpec(
        name="conv1d",
        kind="math",
        inputs=("input", "weight", "bias"),
        saves=("always", "always", "never"),
        backward_node="ConvolutionBackward0",
        method=False,
        functional=True,
    ),
    OpSpec(
        name="conv2d",
        kind="math",
        inputs=("input", "weight", "bias"),
        saves=("always", "always", "never"),
        backward_node="ConvolutionBackward0",
        method=False,
        functional=True,
    ),
    OpSpec(
        name="max_pool2d",
        kind="math",
        inputs=("input",),
        saves=("always",),
        backward_node="MaxPool2DWithIndicesBackward0",
        method=False,
        functional=True,
    ),
    OpSpec(
        name="adaptive_avg_pool2d",
        kind="math",
        inputs=("input",),
        saves=("always",),
        backward_node="AdaptiveAvgPool2DBackward0",
        method=False,
        function=False,
        functional=True,
    ),
    OpSpec(
        name="avg_pool2d",
        kind="math",
        inputs=("input",),
        saves=("always",),
        backward_node="AvgPool2DBackward0",
        method=False,
        function=False,
        functional=True,
    ),
    OpSpec(
        name="batch_norm",
        kind="math",
        inputs=("input", "running_mean", "running_var", "weight", "bias"),
        saves=("always", "always", "always", "always", "never"),
        backward_node="NativeBatchNormBackward0",
        method=False,
        function=False,
        functional=True,
        saves_internal=True,  # the batch mean and inverse std
    ),
    OpSpec(
        name="layer_norm",
        kind="math",
        inputs=("input", "weight", "bias"),  # layer_norm(input, normalized_shape, weight, bias)
        saves=("always", "always", "always"),
        backward_node="NativeLayerNormBackward0",
        method=False,
        function=False,
        functional=True,
        saves_internal=True,
    ),
    OpSpec(
        name="group_norm",
        kind="math",
        inputs=("input", "weight", "bias"),  # group_norm(input, num_groups, weight, bias)
        saves=("always", "always", "never"),
        backward_node="NativeGroupNormBackward0",
        method=False,
        function=False,
        functional=True,
        saves_internal=True,
    ),
)

OPS: Mapping[str, OpSpec] = {spec.name: spec for spec in _SPECS}
"""Every op by canonical name."""

_OVERLOADS: tuple[OpSpec, ...] = (
    # ``x.max(dim)`` / ``torch.max(x, dim, keepdim)``: ``(values, indices)``, saves the indices
    OpSpec(
        name="max.dim",
        kind="math",
        backward_node="MaxBackward0",
        tuple_output=2,
        saved_outputs=(1,),
    ),
    OpSpec(
        name="min.dim",
        kind="math",
        backward_node="MinBackward0",
        tuple_output=2,
        saved_outputs=(1,),
    ),
    # ``torch.max(x, y)`` with a tensor ``y`` is ``torch.maximum``
    _binary("max.other", "MaximumBackward0", ("always", "always"), inplace=False),
    _binary("min.other", "MinimumBackward0", ("always", "always"), inplace=False),
    # ``torch.split(x, [sizes])``: a list of sizes instead of one size
    OpSpec(
        name="split.sizes",
        kind="view",
        backward_node="SplitWithSizesBackward0",
        tuple_output=-1,
        multi_view=True,
    ),
)
OVERLOADS: Mapping[str, OpSpec] = {spec.name: spec for spec in _OVERLOADS}
"""Other forms of a registry op, chosen by the call's arguments: ``<op>.dim`` when a ``dim``
is given (positionally as an int or by keyword), ``<op>.other`` when the second argument is a
tensor, ``split.sizes`` when the split size is a list. Listed in the op's ``overloads``."""


def spec_of(name: str) -> OpSpec:
    """The spec of an op or of one of its overloads (``max.dim``)."""
    spec = OPS.get(name)
    return spec if spec is not None else OVERLOADS[name]


OPERATORS: Mapping[str, str] = {spec.operator: spec.name for spec in _SPECS if spec.operator}
"""Python binary operator spelling -> op name."""

INPLACE_TWINS: Mapping[str, str] = {spec.inplace: spec.name for spec in _SPECS if spec.inplace}
"""In-place method name (``sigmoid_``) -> op name (``sigmoid``)."""

METADATA_INPLACE: frozenset[str] = frozenset(
    {"unsqueeze_", "squeeze_", "t_", "transpose_", "swapdims_", "swapaxes_"}
)
"""In-place methods that change only a tensor's shape and strides: torch still bumps its
version counter (a backward that saved it raises), and a leaf that requires grad refuses
them; through ``.data`` they reshape the alias alone and leave the tensor untouched."""

INPLACE_METHODS: frozenset[str] = frozenset(
    set(INPLACE_TWINS)
    | METADATA_INPLACE
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

NEW_TENSOR_METHODS: frozenset[str] = frozenset(
    {"new_tensor", "new_zeros", "new_ones", "new_full", "new_empty"}
)
"""``x.new_<kind>(...)``: a fresh leaf with ``x``'s dtype, unrelated to ``x``'s graph; requires
grad only with ``requires_grad=True``."""

LEGACY_CONSTRUCTORS: frozenset[str] = frozenset(
    {"FloatTensor", "DoubleTensor", "LongTensor", "IntTensor", "BoolTensor", "Tensor"}
)
"""``torch.<Name>(data)``: a fresh leaf that never requires grad. ``torch.autograd.Variable(t,
requires_grad=...)`` returns ``t`` itself (a leaf's flag set as asked)."""

NON_TENSOR_METHODS: frozenset[str] = frozenset({"item", "tolist", "numpy", "dim", "size", "numel"})
"""Methods whose result is a Python value or array, never a tensor in the graph."""

GRAD_MODE_CONTEXTS: Mapping[str, bool | None] = {
    "no_grad": False,
    "inference_mode": False,
    "enable_grad": True,
    "set_grad_enabled": None,  # depends on its argument
}
"""``torch.<name>()`` context managers / decorators and the grad mode they set."""


NUMPY_CONVERTERS = frozenset(
    {"array", "asarray", "asanyarray", "stack", "concatenate", "vstack", "hstack"}
    | {"sum", "mean", "prod", "max", "min", "sqrt", "exp", "log", "square"}
)
"""numpy functions that turn their argument into an array: a tensor in it goes through
``numpy()`` (torch raises for one that requires grad, in grad mode)."""

AUTOGRAD_VOCABULARY: tuple[str, ...] = (
    "backward",
    ".data",
    "clone",
    "tensor(",
    "autograd",
    # a leaf that requires grad, its ``.grad`` or its flag (AG006, AG007, AG008)
    "requires_grad",
    ".grad",
    "Parameter",
    ".parameters(",
    ".weight",
    ".bias",
    "numpy(",
    "detach",
    "optim",
    # numpy functions that convert a tensor argument (AG011: ``np.sum([loss_a, loss_b])``)
    *(f"{module}.{name}(" for module in ("np", "numpy") for name in sorted(NUMPY_CONVERTERS)),
)
"""Substrings without which a file cannot contain a finding; such files are not parsed
(``optim``: an optimizer built from copies of parameters needs no backward to be wrong; a
numpy converter: a tensor handed to it is converted, which fails for one that requires grad,
with no other autograd word in the file)."""


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
