"""The engine implements every entry of the op registry, and never imports torch."""

from __future__ import annotations

import subprocess
import sys

from autograd_lint import nn_modules
from autograd_lint import ops as registry
from autograd_lint.runtime_check import engine
from autograd_lint.runtime_check.engine import creation, methods
from autograd_lint.runtime_check.engine.nn import functional


def test_every_registry_op_has_an_implementation() -> None:
    assert set(registry.OPS) <= set(methods.IMPLEMENTATIONS)


def test_registry_surfaces_are_exposed() -> None:
    for name, spec in registry.OPS.items():
        if spec.method:
            assert callable(getattr(engine.Tensor, name, None)), f"Tensor.{name}"
        if spec.function:
            assert callable(getattr(engine, name, None)), f"torch.{name}"
        if spec.functional:
            assert callable(getattr(functional, name, None)), f"F.{name}"
        if spec.inplace:
            assert callable(getattr(engine.Tensor, spec.inplace, None)), f"Tensor.{spec.inplace}"


def test_every_inplace_method_is_implemented() -> None:
    for name in registry.INPLACE_METHODS:
        assert callable(getattr(engine.Tensor, name, None)), name
    assert set(methods.INPLACE) == set(registry.INPLACE_METHODS)


def test_augmented_assignments_call_the_registry_method() -> None:
    for augmented, method in registry.AUGMENTED_INPLACE.items():
        x = engine.tensor([1.0, 2.0])
        v = x._version
        namespace = {"x": x, "y": engine.tensor([2.0, 4.0])}
        exec(f"x {augmented} y", namespace)
        assert namespace["x"] is x and x._version == v + 1, (augmented, method)


def test_every_creation_function_is_implemented() -> None:
    assert set(creation.CREATION) == set(registry.CREATION_FUNCTIONS)
    for name in registry.CREATION_FUNCTIONS:
        assert callable(getattr(engine, name, None)), name


def test_every_non_tensor_method_is_implemented() -> None:
    for name in registry.NON_TENSOR_METHODS:
        assert callable(getattr(engine.Tensor, name, None)), name


def test_grad_mode_contexts_exist() -> None:
    for name in registry.GRAD_MODE_CONTEXTS:
        assert callable(getattr(engine, name, None)), name


def test_engine_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "from autograd_lint.runtime_check import engine\n"
        "x = engine.randn(3, requires_grad=True)\n"
        "(x * x).sum().backward()\n"
        "import autograd_lint.runtime_check.engine.nn.functional\n"
        "import autograd_lint.runtime_check.engine.optim\n"
        "assert sys.modules['torch'] is None\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_install_as_torch_maps_submodules() -> None:
    modules: dict[str, object] = {}
    engine.install_as_torch(modules)
    assert modules["torch"] is engine
    assert modules["torch.nn"] is engine.nn
    assert modules["torch.nn.functional"] is engine.nn.functional
    assert modules["torch.optim"] is engine.optim
    assert modules["torch.autograd"] is engine.autograd


def test_install_as_torch_serves_imports() -> None:
    code = (
        "import sys\n"
        "sys.modules['torch'] = None\n"
        "from autograd_lint.runtime_check import engine\n"
        "engine.install_as_torch(sys.modules)\n"
        "import torch\n"
        "import torch.nn.functional as F\n"
        "from torch import nn, optim\n"
        "w = nn.Parameter(torch.ones(2))\n"
        "loss = F.mse_loss(w * 2, torch.zeros(2))\n"
        "loss.backward()\n"
        "optim.SGD([w], lr=0.1).step()\n"
        "print(w._version, type(loss.grad_fn).__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "MseLossBackward0"]


def test_overloads_are_listed_and_exist() -> None:
    listed = {name for spec in registry.OPS.values() for name in spec.overloads}
    assert listed == set(registry.OVERLOADS)
    for name in listed:
        assert name.split(".")[0] in registry.OPS, name


def test_new_tensor_methods_and_legacy_constructors_exist() -> None:
    for name in registry.NEW_TENSOR_METHODS:
        assert callable(getattr(engine.Tensor, name, None)), name
    for name in registry.LEGACY_CONSTRUCTORS:
        assert callable(getattr(engine, name, None)), name
    assert callable(engine.autograd.Variable)


def test_modules_with_an_op_name_a_registry_op() -> None:
    for spec in nn_modules.MODULES.values():
        assert spec.op is None or spec.op in registry.OPS, spec.name
        if spec.inplace_kwarg:
            assert spec.op is not None and registry.OPS[spec.op].inplace_kwarg, spec.name
