"""Run one program on real torch and on the mini engine, and describe what each did.

A program is source text executed with ``torch`` and ``F`` bound to one backend. Its
observable behaviour is: how it ended (normally, or which exception with which first message
line), the warnings it raised, and for every tensor variable left in its namespace the autograd
state torch exposes (requires_grad, is_leaf, grad_fn name, version, values, gradient).
Programs use literal data only, so both backends see the same numbers.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np


@dataclass
class TensorState:
    requires_grad: bool
    is_leaf: bool
    grad_fn: str | None
    graph: str
    shape: tuple[int, ...]
    dtype: str
    version: int
    values: Any
    grad: Any


@dataclass
class Outcome:
    status: str  # "ok" or the exception class name
    message: str  # first line of the exception message
    warnings: list[str] = field(default_factory=list)
    tensors: dict[str, TensorState] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


def _graph(fn: Any, depth: int = 3) -> str:
    """The node's name and its ``next_functions``, a few levels deep."""
    if fn is None:
        return "None"
    name = type(fn).__name__
    if depth == 0:
        return name
    inner = ", ".join(_graph(nxt, depth - 1) for nxt, _ in fn.next_functions)
    return f"{name}({inner})"


def _attempt(read: Any) -> Any:
    """An attribute's value, or the first words of the error reading it raised."""
    try:
        return read()
    except RuntimeError as exc:
        return "error: " + str(exc)[:60]


def _array(t: Any) -> Any:
    if t is None:
        return None
    return np.array(t.detach().tolist() if hasattr(t, "detach") else t, dtype=np.float64)


def run(source: str, backend: ModuleType) -> Outcome:
    """Execute ``source`` with ``torch``/``F`` bound to ``backend``; describe the result."""
    namespace: dict[str, Any] = {"torch": backend, "F": backend.nn.functional}
    status, message = "ok", ""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            exec(compile(source, "<program>", "exec"), namespace)
        except Exception as exc:  # the outcome being compared
            status = type(exc).__name__
            message = str(exc).split("\n", 1)[0]
    outcome = Outcome(status, message, [f"{w.category.__name__}: {w.message}" for w in caught])
    tensor_type = backend.Tensor
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, value in namespace.items():
            if name in ("torch", "F", "__builtins__"):
                continue
            if isinstance(value, tensor_type):
                try:
                    fn = value.grad_fn
                    fn_name = None if fn is None else type(fn).__name__
                except RuntimeError as exc:  # torch refuses some views' history
                    fn_name = "error: " + str(exc)[:60]
                try:
                    version = value._version
                except RuntimeError:  # torch: inference tensors have no version counter
                    version = -1
                outcome.tensors[name] = TensorState(
                    requires_grad=value.requires_grad,
                    is_leaf=_attempt(lambda v=value: v.is_leaf),
                    grad_fn=fn_name,
                    graph=_attempt(lambda v=value: _graph(v.grad_fn)),
                    shape=tuple(value.shape),
                    dtype=str(value.dtype),
                    version=version,
                    values=_array(value),
                    grad=_array(value._grad),
                )
            elif isinstance(value, bool | int | float | str | type(None)):
                outcome.values[name] = value
    return outcome


def assert_same(source: str, engine: ModuleType, torch: ModuleType) -> tuple[Outcome, Outcome]:
    """Run on both and assert the same observable behaviour."""
    got, want = run(source, engine), run(source, torch)
    context = f"\n--- program ---\n{source}\n"
    assert (got.status, got.message) == (want.status, want.message), context
    assert got.warnings == want.warnings, context
    assert set(got.tensors) == set(want.tensors), context
    for name, w in want.tensors.items():
        g = got.tensors[name]
        where = f"{context}variable {name}"
        assert (g.requires_grad, g.is_leaf, g.grad_fn, g.graph) == (
            w.requires_grad,
            w.is_leaf,
            w.grad_fn,
            w.graph,
        ), f"{where}: engine {g} != torch {w}"
        assert (g.shape, g.dtype, g.version) == (w.shape, w.dtype, w.version), (
            f"{where}: engine {g} != torch {w}"
        )
        _close(g.values, w.values, f"{where} values")
        _close(g.grad, w.grad, f"{where} grad")
    assert got.values.keys() == want.values.keys(), context
    for key, w in want.values.items():
        g = got.values[key]
        if isinstance(w, float):
            assert np.isclose(g, w, rtol=1e-5, atol=1e-6, equal_nan=True), f"{context}{key}"
        else:
            assert g == w, f"{context}{key}: engine {g!r} != torch {w!r}"
    return got, want


def _close(got: Any, want: Any, where: str) -> None:
    if want is None or got is None:
        assert got is None and want is None, f"{where}: engine {got} != torch {want}"
        return
    assert got.shape == want.shape, f"{where}: shape {got.shape} != {want.shape}"
    assert np.allclose(got, want, rtol=1e-5, atol=1e-6, equal_nan=True), (
        f"{where}: engine {got} != torch {want}"
    )
