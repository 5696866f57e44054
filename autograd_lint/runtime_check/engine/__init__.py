"""A mini autograd engine on numpy with torch's semantics for the op registry.

``from autograd_lint.runtime_check import engine as torch`` gives a namespace a witness script
written for torch runs on unchanged: constructors, dtypes, grad modes, ``autograd``, ``nn``,
``nn.functional`` and ``optim``. Its errors and warnings carry torch's own messages, so replay
judges a witness the same way on either backend. It never imports torch.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from types import ModuleType
from typing import Any

from . import creation, dtypes
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from .dtypes import dtype
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .methods import FUNCTIONS, bind
from .tensor import Size, Tensor

bind()
globals().update(FUNCTIONS)
globals().update(dtypes.ALIASES)
globals().update(creation.LEGACY)

from . import autograd, nn, optim  # noqa: E402
from .nn import functional  # noqa: E402

__all__ = [
    "Size",
    "Tensor",
    "arange",
    "as_tensor",
    "autograd",
    "dtype",
    "empty",
    "empty_like",
    "enable_grad",
    "eye",
    "from_numpy",
    "full",
    "full_like",
    "inference_mode",
    "install_as_torch",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "linspace",
    "manual_seed",
    "nn",
    "no_grad",
    "ones",
    "ones_like",
    "optim",
    "rand",
    "rand_like",
    "randint",
    "randn",
    "randn_like",
    "set_grad_enabled",
    "tensor",
    "zeros",
    "zeros_like",
]


def is_tensor(obj: object) -> bool:
    return isinstance(obj, Tensor)


def device(name: str = "cpu", index: int | None = None) -> str:
    return name


class _Cuda(ModuleType):
    """``torch.cuda``: the engine runs on the CPU only."""

    @staticmethod
    def is_available() -> bool:
        return False


cuda = _Cuda("torch.cuda")


def install_as_torch(sys_modules: MutableMapping[str, Any]) -> None:
    """Register the engine as ``torch`` (and its submodules) in a ``sys.modules``-like map.

    After this, ``import torch``, ``import torch.nn.functional as F`` and
    ``from torch import optim`` in a witness resolve to the engine.
    """
    import sys

    me = sys.modules[__name__]
    sys_modules["torch"] = me
    sys_modules["torch.nn"] = nn
    sys_modules["torch.nn.functional"] = functional
    sys_modules["torch.optim"] = optim
    sys_modules["torch.autograd"] = autograd
    sys_modules["torch.cuda"] = cuda


def __getattr__(name: str) -> Any:
    raise AttributeError(f"module 'torch' has no attribute '{name}'")
