"""Custom autograd Functions: ``C.apply(x)`` runs ``C.forward(ctx, x)`` with grad mode off.

torch calls a ``torch.autograd.Function`` subclass's static ``forward`` under no-grad: what
it computes records no graph (its gradient is what ``backward`` says). So a ``backward()``
inside ``forward`` finds nothing that requires grad (torch raises "element 0 of tensors does
not require grad"), and an in-place op there is invisible to autograd. The call is followed
with the arguments bound and ``ctx`` a value of unknown facts; what ``apply`` returns is not
modelled (it requires grad as torch's wrapper decides): it stays unknown.
"""

from __future__ import annotations

import libcst as cst

from autograd_lint.analysis.decorators import is_staticmethod
from autograd_lint.analysis.names import dotted
from autograd_lint.analysis.values import ModuleRef, UserClass

_FUNCTION = frozenset({"torch.autograd.Function", "torch.autograd.function.Function"})


def extends_autograd_function(cls: UserClass) -> bool:
    """The class or one of its project bases names torch's ``autograd.Function`` as a base
    (resolved through the names of the module that defines it)."""
    for owner in cls.mro():
        if owner.node is None:
            continue
        for base in owner.node.bases:
            name = dotted(base.value) or ""
            head, _, rest = name.partition(".")
            resolved = owner.scope.get(head) if head and owner.scope is not None else None
            if isinstance(resolved, ModuleRef):
                full = f"{resolved.qualname}.{rest}" if rest else resolved.qualname
                if full in _FUNCTION:
                    return True
    return False


def applied_forward(cls: UserClass, method: str) -> tuple[cst.FunctionDef, UserClass] | None:
    """The static ``forward`` that ``cls.apply(...)`` runs, when ``method`` is ``apply``, the
    class extends ``autograd.Function`` and does not define ``apply`` itself."""
    if method != "apply" or cls.method("apply") is not None:
        return None
    found = cls.method("forward")
    if found is None or not is_staticmethod(found[0]) or not extends_autograd_function(cls):
        return None
    return found
