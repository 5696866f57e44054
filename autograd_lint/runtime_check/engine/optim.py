"""``torch.optim``: optimizers whose ``step()`` writes each parameter in place.

The write happens under ``no_grad`` through an in-place op on the parameter itself, so the
parameter's version counter moves exactly as in torch (one bump per step), and a graph that
saved the parameter before the step fails to backward afterwards, as in torch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .grad_mode import no_grad
from .inplace_ops import addcdiv_
from .methods import INPLACE
from .tensor import Tensor

__all__ = ["SGD", "Adam", "AdamW", "Optimizer"]


class Optimizer:
    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        items = list(params)
        groups = items if items and isinstance(items[0], dict) else [{"params": items}]
        self.param_groups: list[dict[str, Any]] = []
        for g in groups:
            group = {**defaults, **g}
            group["params"] = list(group["params"])
            for p in group["params"]:
                if not p.is_leaf:
                    raise ValueError("can't optimize a non-leaf Tensor")
            self.param_groups.append(group)
        self.state: dict[int, dict[str, Any]] = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if set_to_none:
                    p._grad = None
                elif p._grad is not None:
                    p._grad._data[...] = 0

    def step(self, closure: Any = None) -> None:
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p._grad is not None:
                        self._update(p, p._grad._data, group)

    def _update(self, p: Tensor, grad: Any, group: dict[str, Any]) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        **_: Any,
    ) -> None:
        super().__init__(
            params,
            {
                "lr": lr,
                "momentum": momentum,
                "dampening": dampening,
                "weight_decay": weight_decay,
                "nesterov": nesterov,
            },
        )

    def _update(self, p: Tensor, grad: Any, group: dict[str, Any]) -> None:
        d = grad + group["weight_decay"] * p._data if group["weight_decay"] else grad
        if group["momentum"]:
            state = self.state.setdefault(id(p), {})
            buf = state.get("momentum_buffer")
            buf = (
                d.copy() if buf is None else group["momentum"] * buf + (1 - group["dampening"]) * d
            )
            state["momentum_buffer"] = buf
            d = d + group["momentum"] * buf if group["nesterov"] else buf
        INPLACE["add_"](p, Tensor._wrap(np.asarray(d)), alpha=-group["lr"])


class Adam(Optimizer):
    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        **_: Any,
    ) -> None:
        super().__init__(
            params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay}
        )

    def _decay(self, p: Tensor, grad: Any, group: dict[str, Any]) -> Any:
        return grad + group["weight_decay"] * p._data if group["weight_decay"] else grad

    def _update(self, p: Tensor, grad: Any, group: dict[str, Any]) -> None:
        grad = self._decay(p, grad, group)
        state = self.state.setdefault(
            id(p), {"step": 0, "m": np.zeros_like(grad), "v": np.zeros_like(grad)}
        )
        b1, b2 = group["betas"]
        state["step"] += 1
        state["m"] = b1 * state["m"] + (1 - b1) * grad
        state["v"] = b2 * state["v"] + (1 - b2) * grad * grad
        step_size = group["lr"] / (1 - b1 ** state["step"])
        denom = np.sqrt(state["v"] / (1 - b2 ** state["step"])) + group["eps"]
        addcdiv_(p, Tensor._wrap(state["m"]), Tensor._wrap(denom), value=-step_size)


class AdamW(Adam):
    def __init__(
        self, params: Iterable[Any], lr: float = 1e-3, weight_decay: float = 1e-2, **kw: Any
    ) -> None:
        super().__init__(params, lr=lr, weight_decay=weight_decay, **kw)

    def _decay(self, p: Tensor, grad: Any, group: dict[str, Any]) -> Any:
        p._data *= 1 - group["lr"] * group["weight_decay"]
        p._version_counter.value += 1
        return grad
