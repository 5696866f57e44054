"""A class of the project that extends ``torch.optim.Optimizer``.

``super().__init__(params, defaults)`` is torch's: it makes ``self.param_groups``, a list of
dicts whose ``"params"`` is the list of the tensors given. Modelled so that a method of
the subclass looping ``for group in self.param_groups: for p in group["params"]:`` reaches
the model's parameters (a weight prediction that writes ``p.data`` after the forward
saved ``p``). Only the plain form is known: parameters given as a list of dicts (several
groups), or anything not known to be tensors, leaves ``param_groups`` unknown.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.names import dotted
from autograd_lint.analysis.values import ModuleRef, Sequence, Tensor, UserClass, Value

_OPTIMIZER = frozenset({"torch.optim.Optimizer", "torch.optim.optimizer.Optimizer"})


def extends_torch_optimizer(cls: UserClass) -> bool:
    """One of the class's own bases (as written) is torch's ``Optimizer``."""
    if cls.node is None:
        return False
    for base in cls.node.bases:
        name = dotted(base.value) or ""
        head, _, rest = name.partition(".")
        resolved = cls.scope.get(head) if head and cls.scope is not None else None
        if isinstance(resolved, ModuleRef):
            full = f"{resolved.qualname}.{rest}" if rest else resolved.qualname
            if full in _OPTIMIZER:
                return True
    return False


def param_groups(node: cst.Call, args: list[Value]) -> Sequence | None:
    """``self.param_groups`` after ``super().__init__(params, ...)``, where it is known."""
    params: Value | None = None
    for arg, value in zip(node.args, args, strict=False):
        if arg.star:
            return None
        if (arg.keyword is None and params is None) or (
            arg.keyword is not None and arg.keyword.value == "params"
        ):
            params = value
            break
    if not (
        isinstance(params, Sequence)
        and params.keys is None
        and params.items
        and all(isinstance(item, Tensor) for item in params.items)
    ):
        return None
    listed = Sequence(
        list(params.items),
        params.prov,
        params.homogeneous,
        open_length=params.open_length,
    )
    group = Sequence([listed], params.prov, keys=["params"])
    # more groups may be added (``add_param_group``): how many there are is not known, but
    # there is one at least (torch raises for an empty parameter list)
    return Sequence([group], params.prov, open_length=True, nonempty=True)
