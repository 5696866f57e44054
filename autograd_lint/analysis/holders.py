"""``argparse.Namespace(lr=0.1, steps=1)`` and ``types.SimpleNamespace(...)``: plain holder
objects whose attributes are the keywords they were built with.

A script that stands in a namespace for its command line (``args = Namespace(...)``) reads
its settings back as ``args.steps``; known there, a ``range(1, args.steps)`` that never
runs, or a flag that decides a branch, is known too. The holder is a heap object like an
instance of a project class: its attributes live in the state as ``#<id>.<attr>``
bindings, later assignments (``args.lr = 0.2``) follow the flow, and an attribute it was
not given is unknown, as is every one once the holder is handed to code that is not
followed.
"""

from __future__ import annotations

from collections.abc import Sequence as Seq

import libcst as cst

from autograd_lint.analysis.state import State
from autograd_lint.analysis.values import NNModule, Unknown, Value

NAMESPACES = frozenset({"argparse.Namespace", "types.SimpleNamespace"})
"""Classes whose instances take their attributes from the constructor's keywords."""


def namespace_object(node: cst.Call, args: list[Value], state: State, seq: int) -> NNModule | None:
    """The holder a ``Namespace(k=v, ...)`` call makes (``None`` for a positional or
    ``**`` argument: ``SimpleNamespace(mapping)`` and ``Namespace(**d)`` set attributes
    that are not spelled here)."""
    if any(arg.keyword is None or arg.star for arg in node.args):
        return None
    holder = NNModule(
        "SimpleNamespace", False, [], frozenset({seq}), node, has_parameters=False, is_module=False
    )
    for arg, value in zip(node.args, args, strict=True):
        assert arg.keyword is not None
        state.env[f"#{id(holder)}.{arg.keyword.value}"] = value
    return holder


def forget_handed(args: Seq[Value], state: State) -> None:
    """Holders handed to code the analysis does not follow may get any attribute set
    (``parser.parse_args(namespace=args)``): what they held is unknown from there on."""
    for value in args:
        if isinstance(value, NNModule) and value.kind == "SimpleNamespace" and value.cls is None:
            for key, _ in state.items_with_prefix(f"#{id(value)}."):
                state.env[key] = Unknown()
