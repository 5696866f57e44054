"""``torch.nn``: ``Parameter``, ``Module`` and the modules witnesses use.

A module call applies the registry op the module stands for (``Linear`` -> ``linear``), so a
module's graph is the functional op's graph, as in torch.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from .. import creation, grad_mode, views
from ..tensor import Tensor
from . import functional
from . import functional as F

__all__ = [
    "ELU",
    "GELU",
    "GRU",
    "LSTM",
    "RNN",
    "AdaptiveAvgPool2d",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "CrossEntropyLoss",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRUCell",
    "GroupNorm",
    "Hardtanh",
    "Identity",
    "KLDivLoss",
    "L1Loss",
    "LSTMCell",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "MaxPool2d",
    "Module",
    "ModuleDict",
    "ModuleList",
    "NLLLoss",
    "Parameter",
    "RNNCell",
    "ReLU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softplus",
    "Tanh",
    "Upsample",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
    "functional",
]


class Parameter(Tensor):
    """A leaf that requires grad and shares storage with the tensor it wraps."""

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        source = data._data if data is not None else np.zeros((0,), dtype=np.float32)
        self._init_state(source)
        self._requires_grad = bool(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()


class Module:
    """Base class: registers parameters and submodules assigned as attributes."""

    training: bool
    _parameters: dict[str, Parameter | None]
    _modules: dict[str, Module]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "training", True)

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        modules = self.__dict__.get("_modules")
        if isinstance(value, Parameter) and params is not None:
            params[name] = value
        elif isinstance(value, Module) and modules is not None:
            modules[name] = value
        object.__setattr__(self, name, value)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as a child called ``name`` (``Sequential`` runs it last)."""
        if module is None:
            self._modules.pop(name, None)
            object.__setattr__(self, name, None)
            return
        setattr(self, name, module)

    register_module = add_module

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        object.__setattr__(self, name, tensor)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def named_parameters(
        self, prefix: str = "", recurse: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        seen: set[int] = set()
        for mod_prefix, module in self._named_modules(prefix) if recurse else [(prefix, self)]:
            for name, p in module._parameters.items():
                if p is not None and id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mod_prefix}.{name}" if mod_prefix else name), p

    def parameters(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def _named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        yield prefix, self
        for name, child in self._modules.items():
            yield from child._named_modules(f"{prefix}.{name}" if prefix else name)

    def named_modules(self) -> Iterator[tuple[str, Module]]:
        return self._named_modules()

    def modules(self) -> Iterator[Module]:
        for _, m in self._named_modules():
            yield m

    def children(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.parameters():
            if set_to_none:
                p._grad = None
            elif p._grad is not None:
                p._grad._data[...] = 0

    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            object.__setattr__(m, "training", mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def to(self, *args: Any, **kwargs: Any) -> Module:
        return self

    def cpu(self) -> Module:
        return self


class Linear(Module):
    def __init__(self, in_features: int, out_features: int, bias: bool = True, **_: Any) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        bound = 1 / math.sqrt(in_features) if in_features else 0.0
        from ..inplace_ops import uniform_

        # torch initialises parameters in place (one version bump each)
        with grad_mode.no_grad():
            self.weight = Parameter(creation.empty(out_features, in_features))
            uniform_(self.weight, -bound, bound)
            if bias:
                self.bias: Parameter | None = Parameter(creation.empty(out_features))
                uniform_(self.bias, -bound, bound)
            else:
                self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)


class _Activation(Module):
    _op = ""
    _params: tuple[str, ...] = ()
    """Constructor arguments in torch's positional order (``inplace`` last where it exists):
    ``nn.LeakyReLU(0.1, True)`` is in place."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        if len(args) > len(self._params):
            raise TypeError(
                f"{type(self).__name__}.__init__() takes {len(self._params)} positional "
                f"arguments but {len(args)} were given"
            )
        named = dict(zip(self._params, args, strict=False)) | kwargs
        self.inplace = bool(named.pop("inplace", False))
        self.args = ()
        self.kwargs = named

    def forward(self, input: Tensor) -> Tensor:
        fn = getattr(F, self._op)
        if self.inplace:
            return fn(input, *self.args, inplace=True, **self.kwargs)
        return fn(input, *self.args, **self.kwargs)


class ReLU(_Activation):
    _op = "relu"
    _params = ("inplace",)


class Sigmoid(_Activation):
    _op = "sigmoid"


class Tanh(_Activation):
    _op = "tanh"


class GELU(_Activation):
    _op = "gelu"
    _params = ("approximate",)


class SiLU(_Activation):
    _op = "silu"
    _params = ("inplace",)


class LeakyReLU(_Activation):
    _op = "leaky_relu"
    _params = ("negative_slope", "inplace")


class Softmax(Module):
    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)


class LogSoftmax(Softmax):
    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)


class Identity(Module):
    def forward(self, input: Tensor) -> Tensor:
        return input


class Flatten(Module):
    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, input: Tensor) -> Tensor:
        return views.flatten(input, self.start_dim, self.end_dim)


class Sequential(Module):
    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, m in modules[0].items():
                setattr(self, name, m)
            return
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def forward(self, input: Any) -> Any:
        for m in self._modules.values():
            input = m(input)
        return input

    def __getitem__(self, index: Any) -> Any:
        children = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*children[index])
        return children[index]

    def append(self, module: Module) -> Sequential:
        setattr(self, str(len(self._modules)), module)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class ModuleList(Module):
    def __init__(self, modules: Any = None) -> None:
        super().__init__()
        for m in modules or []:
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        setattr(self, str(len(self._modules)), module)
        return self

    def extend(self, modules: Any) -> ModuleList:
        for m in modules:
            self.append(m)
        return self

    def __getitem__(self, index: Any) -> Any:
        children = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(children[index])
        return children[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())


class _Loss(Module):
    _op = ""

    def __init__(self, *args: Any, reduction: str = "mean", **kwargs: Any) -> None:
        super().__init__()
        self.reduction = reduction

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return getattr(F, self._op)(input, target, reduction=self.reduction)


class MSELoss(_Loss):
    _op = "mse_loss"


class L1Loss(_Loss):
    _op = "l1_loss"


class CrossEntropyLoss(_Loss):
    _op = "cross_entropy"


class NLLLoss(_Loss):
    _op = "nll_loss"


class BCELoss(_Loss):
    _op = "binary_cross_entropy"


class BCEWithLogitsLoss(_Loss):
    _op = "binary_cross_entropy_with_logits"


from .layers import (  # noqa: E402  (the layers subclass the classes above)
    ELU,
    AdaptiveAvgPool2d,
    AvgPool2d,
    BatchNorm1d,
    BatchNorm2d,
    Conv1d,
    Conv2d,
    Dropout,
    Embedding,
    GroupNorm,
    Hardtanh,
    KLDivLoss,
    LayerNorm,
    MaxPool2d,
    ModuleDict,
    SmoothL1Loss,
    Softplus,
)
from .recurrent import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell  # noqa: E402
from .upsample import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: E402
