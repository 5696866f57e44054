"""Layer modules: convolution, normalisation, embedding, pooling, dropout, more activations,
``ModuleDict`` and the losses added with the registry's layer ops.

Parameters are initialised in place under ``no_grad`` (one version bump each, as torch's
``reset_parameters``); their values are the engine's random numbers, never torch's, and no
witness depends on them.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from .. import creation, grad_mode
from ..inplace_ops import fill_, normal_, uniform_, zero_
from ..tensor import Tensor
from . import Module, Parameter, _Activation, _Loss
from . import functional as F


def _uniform(shape: tuple[int, ...], bound: float) -> Parameter:
    p = Parameter(creation.empty(*shape))
    uniform_(p, -bound, bound)
    return p


def _filled(n: int, value: float) -> Parameter:
    p = Parameter(creation.empty(n))
    fill_(p, value)
    return p


class _ConvNd(Module):
    _dims = 1
    _op = ""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        **_: Any,
    ) -> None:
        super().__init__()
        k = kernel_size if isinstance(kernel_size, tuple | list) else (kernel_size,) * self._dims
        self.kernel_size = tuple(k)
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        fan_in = in_channels // groups * math.prod(self.kernel_size)
        bound = 1 / math.sqrt(fan_in) if fan_in else 0.0
        with grad_mode.no_grad():
            self.weight = _uniform((out_channels, in_channels // groups, *self.kernel_size), bound)
            if bias:
                self.bias: Parameter | None = _uniform((out_channels,), bound)
            else:
                self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        fn = getattr(F, self._op)
        result: Tensor = fn(
            input, self.weight, self.bias, self.stride, self.padding, self.dilation, self.groups
        )
        return result


class Conv1d(_ConvNd):
    _dims = 1
    _op = "conv1d"


class Conv2d(_ConvNd):
    _dims = 2
    _op = "conv2d"


class _BatchNorm(Module):
    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        **_: Any,
    ) -> None:
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.track_running_stats = track_running_stats
        with grad_mode.no_grad():
            if affine:
                self.weight: Parameter | None = _filled(num_features, 1.0)
                self.bias: Parameter | None = _filled(num_features, 0.0)
            else:
                self.register_parameter("weight", None)
                self.register_parameter("bias", None)
            if track_running_stats:
                self.running_mean: Tensor | None = zero_(creation.empty(num_features))
                self.running_var: Tensor | None = fill_(creation.empty(num_features), 1.0)
                self.num_batches_tracked: Tensor | None = zero_(creation.tensor(0))
            else:
                self.running_mean = self.running_var = self.num_batches_tracked = None

    def forward(self, input: Tensor) -> Tensor:
        momentum = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)  # type: ignore[attr-defined]
            if self.momentum is None:  # cumulative moving average
                momentum = 1.0 / float(self.num_batches_tracked.item())
        use_batch = self.training or self.running_mean is None
        result: Tensor = F.batch_norm(
            input,
            self.running_mean if not self.training or self.track_running_stats else None,
            self.running_var if not self.training or self.track_running_stats else None,
            self.weight,
            self.bias,
            use_batch,
            momentum,
            self.eps,
        )
        return result


class BatchNorm1d(_BatchNorm):
    pass


class BatchNorm2d(_BatchNorm):
    pass


class LayerNorm(Module):
    def __init__(
        self,
        normalized_shape: Any,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        **_: Any,
    ) -> None:
        super().__init__()
        shape = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
        self.normalized_shape = tuple(shape)
        self.eps = eps
        n = math.prod(self.normalized_shape)
        with grad_mode.no_grad():
            if elementwise_affine:
                self.weight: Parameter | None = _filled(n, 1.0)
                if bias:
                    self.bias: Parameter | None = _filled(n, 0.0)
                else:
                    self.register_parameter("bias", None)
            else:
                self.register_parameter("weight", None)
                self.register_parameter("bias", None)
        for p in (self.weight, self.bias):
            if p is not None:
                p._data = p._data.reshape(self.normalized_shape)

    def forward(self, input: Tensor) -> Tensor:
        result: Tensor = F.layer_norm(
            input, self.normalized_shape, self.weight, self.bias, self.eps
        )
        return result


class GroupNorm(Module):
    def __init__(
        self, num_groups: int, num_channels: int, eps: float = 1e-5, affine: bool = True, **_: Any
    ) -> None:
        super().__init__()
        self.num_groups, self.eps = num_groups, eps
        with grad_mode.no_grad():
            if affine:
                self.weight: Parameter | None = _filled(num_channels, 1.0)
                self.bias: Parameter | None = _filled(num_channels, 0.0)
            else:
                self.register_parameter("weight", None)
                self.register_parameter("bias", None)

    def forward(self, input: Tensor) -> Tensor:
        result: Tensor = F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)
        return result


class Embedding(Module):
    def __init__(
        self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None, **_: Any
    ) -> None:
        super().__init__()
        self.padding_idx = padding_idx
        with grad_mode.no_grad():
            self.weight = Parameter(creation.empty(num_embeddings, embedding_dim))
            normal_(self.weight)
            if padding_idx is not None:
                self.weight._data[padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        result: Tensor = F.embedding(input, self.weight, self.padding_idx)
        return result


class Dropout(Module):
    """torch's dropout: the identity for ``p == 0`` or in eval mode, a random mask otherwise."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        self.p, self.inplace = p, inplace

    def forward(self, input: Tensor) -> Tensor:
        result: Tensor = F.dropout(input, self.p, self.training, self.inplace)
        return result


class MaxPool2d(Module):
    def __init__(
        self, kernel_size: Any, stride: Any = None, padding: Any = 0, dilation: Any = 1, **_: Any
    ) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding, self.dilation = (
            kernel_size,
            stride,
            padding,
            dilation,
        )

    def forward(self, input: Tensor) -> Tensor:
        result: Tensor = F.max_pool2d(
            input, self.kernel_size, self.stride, self.padding, self.dilation
        )
        return result


class AdaptiveAvgPool2d(Module):
    def __init__(self, output_size: Any) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        result: Tensor = F.adaptive_avg_pool2d(input, self.output_size)
        return result


class AvgPool2d(Module):
    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0, **_: Any) -> None:
        super().__init__()
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding

    def forward(self, input: Tensor) -> Tensor:
        result: Tensor = F.avg_pool2d(input, self.kernel_size, self.stride, self.padding)
        return result


class ELU(_Activation):
    _op = "elu"
    _params = ("alpha", "inplace")


class Hardtanh(_Activation):
    _op = "hardtanh"
    _params = ("min_val", "max_val", "inplace")


class Softplus(_Activation):
    _op = "softplus"
    _params = ("beta", "threshold")


class SmoothL1Loss(_Loss):
    _op = "smooth_l1_loss"


class KLDivLoss(_Loss):
    _op = "kl_div"


class ModuleDict(Module):
    def __init__(self, modules: Any = None) -> None:
        super().__init__()
        if modules:
            self.update(modules)

    def update(self, modules: Any) -> None:
        items = modules.items() if hasattr(modules, "items") else modules
        for name, m in items:
            self[name] = m

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        setattr(self, key, module)

    def __contains__(self, key: str) -> bool:
        return key in self._modules

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def keys(self) -> Any:
        return self._modules.keys()

    def values(self) -> Any:
        return self._modules.values()

    def items(self) -> Any:
        return self._modules.items()
