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

from autograd_lint.op_spec import OpSpec, binary, loss, reduction, unary, view

_SPECS: tuple[OpSpec, ...] = (
    # arithmetic
    binary("add", "AddBackward0", ("never", "never"), operator="+"),
    binary("sub", "SubBackward0", ("never", "never"), operator="-"),
    binary("mul", "MulBackward0", ("cross", "cross"), operator="*"),
    binary("div", "DivBackward0", ("cross", "always"), operator="/"),
    binary("matmul", "MmBackward0", ("cross", "cross"), operator="@", inplace=False),
    binary("mm", "MmBackward0", ("cross", "cross"), inplace=False),
    OpSpec(
        name="pow",
        kind="math",
        inputs=("self", "exponent"),
        saves=("always", "always"),
        backward_node="PowBackward0",
        inplace="pow_",
        operator="**",
    ),
    unary("neg", "NegBackward0"),
    # unary math
    unary("exp", "ExpBackward0", saves_output=True),
    unary("log", "LogBackward0", saves_self=True),
    unary("sin", "SinBackward0", saves_self=True),
    unary("cos", "CosBackward0", saves_self=True),
    unary("sqrt", "SqrtBackward0", saves_output=True),
    unary("abs", "AbsBackward0", saves_self=True),
    unary("square", "PowBackward0", saves_self=True),
    unary("sign", "SignBackward0"),
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
    unary("sigmoid", "SigmoidBackward0", saves_output=True, functional=True),
    unary("tanh", "TanhBackward0", saves_output=True, functional=True),
    unary("relu", "ReluBackward0", saves_output=True, functional=True)._replace(inplace_kwarg=True),
    unary("gelu", "GeluBackward0", saves_self=True, functional=True, inplace=False, method=False),
    unary(
        "silu",
        "SiluBackward0",
        saves_self=True,
        functional=True,
        inplace=False,
        method=False,
        function=False,
    ),
    unary(
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
    reduction("sum", "SumBackward0"),
    reduction("mean", "MeanBackward0"),
    reduction("prod", "ProdBackward0", saves_self=True, saves_output=True),
    reduction("norm", "LinalgVectorNormBackward0", saves_self=True, saves_output=True),
    # views and copies
    view("view", "ViewBackward0", function=False),
    view("t", "TBackward0"),
    view("transpose", "TransposeBackward0"),
    view("permute", "PermuteBackward0"),
    view("unsqueeze", "UnsqueezeBackward0"),
    view("squeeze", "SqueezeBackward0"),
    view("expand", "ExpandBackward0", function=False),
    view("__getitem__", "SelectBackward0", function=False),
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
    OpSpec(name="one_hot", kind="nondiff", method=False, function=False, functional=True),
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
    loss("mse_loss", "MseLossBackward0"),
    loss("l1_loss", "MeanBackward0", ("never", "never"), internal=True),
    loss("cross_entropy", "NllLossBackward0", ("never", "always"), internal=True),
    loss("nll_loss", "NllLossBackward0"),
    loss("binary_cross_entropy", "BinaryCrossEntropyBackward0"),
    loss("binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0"),
    # kl_div is a composition in torch (xlogy, mul, sub, then the reduction's node)
    loss("kl_div", "MeanBackward0", ("cross", "always"), internal=True),
    loss("smooth_l1_loss", "SmoothL1LossBackward0"),
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
    binary("maximum", "MaximumBackward0", ("always", "always"), inplace=False),
    binary("minimum", "MinimumBackward0", ("always", "always"), inplace=False),
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
    binary("bmm", "BmmBackward0", ("cross", "cross"), inplace=False),
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
    binary("max.other", "MaximumBackward0", ("always", "always"), inplace=False),
    binary("min.other", "MinimumBackward0", ("always", "always"), inplace=False),
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
