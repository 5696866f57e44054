"""Every registry op, run on torch and on the engine: node name, gradients, what is saved.

Whether an op saves an input (or its output) is observed the way a user meets it: the tensor
is written in place after the op (through ``detach()``, which shares the version counter) and
backward either fails or not. Run for every combination of which inputs require grad, this
checks the registry's saving rules and node names against torch through the engine.
"""

from __future__ import annotations

import itertools

import pytest
from engine_harness import assert_same

from autograd_lint import ops as registry
from autograd_lint.runtime_check import engine

torch = pytest.importorskip("torch")

A = "[[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]]"
B = "[[0.3, 0.7, -0.2], [0.9, -0.4, 0.1]]"
P = "[[0.2, 0.7, 0.4], [0.9, 0.35, 0.6]]"  # probabilities for BCE
W = "[[0.1, -0.2, 0.3], [0.4, 0.5, -0.6], [0.7, -0.8, 0.9], [1.0, 0.2, -0.3]]"

# op -> (call with tensors named a, b, ...; {name: (literal, may require grad)})
CASES: dict[str, tuple[str, dict[str, tuple[str, bool]]]] = {
    "add": ("a + b", {"a": (A, True), "b": (B, True)}),
    "sub": ("a - b", {"a": (A, True), "b": (B, True)}),
    "mul": ("a * b", {"a": (A, True), "b": (B, True)}),
    "div": ("a / b", {"a": (A, True), "b": (B, True)}),
    "matmul": ("a @ b.t()", {"a": (A, True), "b": (B, True)}),
    "mm": ("torch.mm(a, b.t())", {"a": (A, True), "b": (B, True)}),
    "pow": ("a ** 2", {"a": (A, True)}),
    "neg": ("-a", {"a": (A, True)}),
    "exp": ("a.exp()", {"a": (A, True)}),
    "log": ("b.abs().log()", {"b": (B, True)}),
    "sin": ("a.sin()", {"a": (A, True)}),
    "cos": ("a.cos()", {"a": (A, True)}),
    "sqrt": ("p.sqrt()", {"p": (P, True)}),
    "abs": ("a.abs()", {"a": (A, True)}),
    "square": ("a.square()", {"a": (A, True)}),
    "clamp": ("a.clamp(-1.0, 1.0)", {"a": (A, True)}),
    "sigmoid": ("a.sigmoid()", {"a": (A, True)}),
    "tanh": ("torch.tanh(a)", {"a": (A, True)}),
    "relu": ("a.relu()", {"a": (A, True)}),
    "gelu": ("F.gelu(a)", {"a": (A, True)}),
    "silu": ("F.silu(a)", {"a": (A, True)}),
    "leaky_relu": ("F.leaky_relu(a, 0.1)", {"a": (A, True)}),
    "softmax": ("F.softmax(a, dim=1)", {"a": (A, True)}),
    "log_softmax": ("F.log_softmax(a, dim=1)", {"a": (A, True)}),
    "sum": ("a.sum()", {"a": (A, True)}),
    "mean": ("a.mean()", {"a": (A, True)}),
    "prod": ("a.prod()", {"a": (A, True)}),
    "norm": ("a.norm()", {"a": (A, True)}),
    "view": ("a.view(6)", {"a": (A, True)}),
    "t": ("a.t()", {"a": (A, True)}),
    "transpose": ("a.transpose(0, 1)", {"a": (A, True)}),
    "permute": ("a.permute(1, 0)", {"a": (A, True)}),
    "unsqueeze": ("a.unsqueeze(0)", {"a": (A, True)}),
    "squeeze": ("a.unsqueeze(0).squeeze()", {"a": (A, True)}),
    "expand": ("a.unsqueeze(0).expand(2, 2, 3)", {"a": (A, True)}),
    "__getitem__": ("a[1]", {"a": (A, True)}),
    "reshape": ("a.reshape(3, 2)", {"a": (A, True)}),
    "flatten": ("a.flatten()", {"a": (A, True)}),
    "contiguous": ("a.t().contiguous()", {"a": (A, True)}),
    "clone": ("a.clone()", {"a": (A, True)}),
    "detach": ("a.detach() * 1", {"a": (A, True)}),
    "argmax": ("a.argmax()", {"a": (A, True)}),
    "argmin": ("a.argmin(dim=1)", {"a": (A, True)}),
    "eq": ("a.eq(b)", {"a": (A, True), "b": (B, True)}),
    "gt": ("a.gt(b)", {"a": (A, True), "b": (B, True)}),
    "lt": ("a.lt(b)", {"a": (A, True), "b": (B, True)}),
    "linear": (
        "F.linear(a, w, bias)",
        {"a": (A, True), "w": (W, True), "bias": ("[0.1, 0.2, 0.3, 0.4]", True)},
    ),
    "mse_loss": ("F.mse_loss(a, b)", {"a": (A, True), "b": (B, True)}),
    "l1_loss": ("F.l1_loss(a, b)", {"a": (A, True), "b": (B, True)}),
    "cross_entropy": ("F.cross_entropy(a, k)", {"a": (A, True), "k": ("[2, 0]", False)}),
    "nll_loss": ("F.nll_loss(a, k)", {"a": (A, True), "k": ("[2, 0]", False)}),
    "binary_cross_entropy": (
        "F.binary_cross_entropy(p, b.abs())",
        {"p": (P, True), "b": (B, True)},
    ),
    "binary_cross_entropy_with_logits": (
        "F.binary_cross_entropy_with_logits(a, p)",
        {"a": (A, True), "p": (P, True)},
    ),
}

# Shape-dependent node names torch gives beyond the registry's default.
VARIANTS: dict[str, str] = {
    "matmul_mv": "y = a @ b[0]",
    "matmul_dot": "y = a[0] @ b[0]",
    "matmul_vm": "y = a[0] @ b.t()",
    "matmul_batched": "y = a.unsqueeze(0).expand(2, 2, 3) @ b.t()",
    "pow_tensor": "y = a ** b",
    "rpow": "y = 2 ** a",
    "rsub": "y = 1 - a",
    "rdiv": "y = 2 / a",
    "sum_dim": "y = a.sum(1)",
    "mean_dim": "y = a.mean(dim=0, keepdim=True)",
    "prod_dim": "y = a.prod(1)",
    "norm_dim": "y = a.norm(dim=1)",
    "norm_p1": "y = a.norm(p=1)",
    "linear_nobias": "y = F.linear(a, w)",
    "linear_1d": "y = F.linear(a[0], w, bias)",
    "linear_1d_nobias": "y = F.linear(a[0], w)",
    "linear_3d": "y = F.linear(a.unsqueeze(0), w, bias)",
    "linear_3d_nobias": "y = F.linear(a.unsqueeze(0), w)",
    "getitem_slice": "y = a[0:1, 1:]",
    "squeeze_dim": "y = a.unsqueeze(1).squeeze(1)",
    "softmax_method": "y = a.softmax(-1)",
    "mse_sum": "y = F.mse_loss(a, b, reduction='sum')",
    "l1_none": "y = F.l1_loss(a, b, reduction='none')",
    "module_linear": "lin = torch.nn.Linear(3, 4)\nwith torch.no_grad():\n    lin.weight.copy_(w)\n    lin.bias.copy_(bias)\ny = lin(a)\ndel lin",
    "float_cast": "y = a.double()",
}


def _setup(tensors: dict[str, tuple[str, bool]], flags: tuple[bool, ...]) -> str:
    lines = []
    for (name, (literal, _)), rg in zip(tensors.items(), flags, strict=True):
        lines.append(f"{name} = torch.tensor({literal}, requires_grad={rg})")
    return "\n".join(lines) + "\n"


def _grad_flags(tensors: dict[str, tuple[str, bool]]) -> list[tuple[bool, ...]]:
    choices = [(False, True) if may else (False,) for _, may in tensors.values()]
    return [f for f in itertools.product(*choices) if any(f)] or [tuple(False for _ in choices)]


def _programs() -> list[tuple[str, str]]:
    out = []
    for op, (call, tensors) in CASES.items():
        for flags in _grad_flags(tensors):
            setup = _setup(tensors, flags)
            tag = "".join("1" if f else "0" for f in flags)
            out.append(
                (f"{op}-{tag}", f"{setup}y = {call}\nif y.requires_grad:\n    y.sum().backward()")
            )
            # is each input / the output saved? write it in place, then backward
            for victim in [*tensors, "y"]:
                prog = (
                    f"{setup}y = {call}\n"
                    f"with torch.no_grad():\n    {victim}.detach().add_(0)\n"
                    "y.sum().backward()"
                )
                out.append((f"{op}-{tag}-write-{victim}", prog))
            out.append(
                (f"{op}-{tag}-twice", f"{setup}y = {call}\ny.sum().backward()\ny.sum().backward()")
            )
    return out


PROGRAMS = dict(_programs())


def test_cases_cover_the_registry() -> None:
    assert set(CASES) == set(registry.OPS)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_op_matches_torch(name: str) -> None:
    assert_same(PROGRAMS[name], engine, torch)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_matches_torch(name: str) -> None:
    tensors = {k: CASES["linear"][1][k] for k in ("a", "w", "bias")} | {"b": (B, True)}
    setup = _setup(tensors, (True, True, True, True))
    prog = f"{setup}{VARIANTS[name]}\ny.sum().backward()\nwith torch.no_grad():\n    a.add_(1)\ny.sum().backward()"
    assert_same(prog, engine, torch)


@pytest.mark.parametrize("method", sorted(registry.INPLACE_METHODS))
def test_inplace_method_matches_torch(method: str) -> None:
    calls = {
        "fill_": "fill_(2.0)",
        "copy_": "copy_(b)",
        "normal_": "normal_()",
        "uniform_": "uniform_()",
        "masked_fill_": "masked_fill_(b > 0, 0.0)",
        "clamp_": "clamp_(-1.0, 1.0)",
        "clamp_min_": "clamp_min_(0.0)",
        "clamp_max_": "clamp_max_(0.0)",
        "addcmul_": "addcmul_(b, b)",
        "addcdiv_": "addcdiv_(b, b.abs() + 1)",
        "lerp_": "lerp_(b, 0.3)",
        "index_add_": "index_add_(0, torch.tensor([1, 0]), b)",
        "scatter_": "scatter_(1, torch.tensor([[0], [2]]), b[:, :1])",
        "add_": "add_(b)",
        "sub_": "sub_(b)",
        "mul_": "mul_(b)",
        "div_": "div_(b)",
        "pow_": "pow_(2)",
        "log_": "abs_().log_()",
        "sqrt_": "abs_().sqrt_()",
    }
    call = calls.get(method, f"{method}()")
    random = method in ("normal_", "uniform_")
    setup = (
        f"a = torch.tensor({A}, requires_grad=True)\nb = torch.tensor({B}, requires_grad=True)\n"
    )
    prog = f"{setup}y = a * 1\nz = y.{call}\nsame = z is y\n"
    if random:  # values differ between backends: keep the node name, zero the values
        prog += "name = z.grad_fn.name()\nz.mul_(0)\n"
    prog += "(y * y).sum().backward()"
    assert_same(prog, engine, torch)
    leaf = f"{setup}a.{call}"
    assert_same(leaf, engine, torch)
    zero = "\n    y.zero_()" if random else ""
    under_no_grad = (
        f"{setup}y = a.sigmoid()\nwith torch.no_grad():\n    y.{call}{zero}\ny.sum().backward()"
    )
    assert_same(under_no_grad, engine, torch)
