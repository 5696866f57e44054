"""One op registry entry (``OpSpec``) and the builders the registry's table is written with.

An entry says what a torch op does to autograd state: its inputs and which of them it saves
for backward (``SaveRule``, after torch's ``derivatives.yaml``), whether it saves its output,
the backward node torch records, its in-place twin, and how it is called (function, method,
``torch.nn.functional``). The table itself is ``ops``.
"""

from __future__ import annotations

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


def unary(
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


def binary(
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


def view(name: str, node: str, *, function: bool = True) -> OpSpec:
    return OpSpec(name=name, kind="view", backward_node=node, function=function)


def reduction(
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


def loss(
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
