"""Random small autograd programs, run on torch and on the engine: same behaviour.

Programs draw from the registry's vocabulary: leaves with and without ``requires_grad``,
unary and binary ops, views and aliases (``detach()``, ``.data``, slices), in-place ops and
augmented assignments, ``no_grad`` blocks, repeated ``backward`` with and without
``retain_graph``, ``autograd.grad``. Each program is compared on its outcome, its warnings
and the autograd state of every variable (see ``engine_harness``).

Set ``ENGINE_DIFF_COLLECT=<file>`` to record disagreements there instead of failing (used to
measure the agreement rate over a long run).
"""

from __future__ import annotations

import os

import pytest
from engine_harness import assert_same
from hypothesis import given
from hypothesis import strategies as st

from autograd_lint.runtime_check import engine

torch = pytest.importorskip("torch")

VALUES = (0.5, -1.0, 2.0, 1.5, -0.25, 0.75, -2.0)
UNARY = (
    "exp()",
    "sigmoid()",
    "tanh()",
    "relu()",
    "sin()",
    "cos()",
    "abs()",
    "neg()",
    "square()",
    "clone()",
    "detach()",
    "clamp(-1.0, 1.0)",
    "sqrt()",
    "log()",
    "mean(0, keepdim=True)",
    "softmax(0)",
    "view(3)",
    "reshape(3)",
    "t()",
    "unsqueeze(0).squeeze(0)",
    "expand(3)",
    "flatten()",
    "contiguous()",
)
FUNCTIONS = (
    "F.softmax({}, dim=0)",
    "F.log_softmax({}, dim=0)",
    "F.gelu({})",
    "F.silu({})",
    "F.leaky_relu({}, 0.1)",
    "torch.exp({})",
    "torch.sigmoid({})",
)
BINARY = ("+", "-", "*", "/")
SCALAR_RIGHT = ("* 2.0", "+ 1.0", "** 2", "/ 2.0", "- 0.5")
SCALAR_LEFT = ("2.0 * ", "1.0 - ", "2.0 ** ", "2.0 / ")
INPLACE_UNARY = (
    "sigmoid_()",
    "exp_()",
    "zero_()",
    "tanh_()",
    "relu_()",
    "neg_()",
    "clamp_(-1.0, 1.0)",
    "fill_(0.5)",
    "abs_()",
    "pow_(2)",
)
INPLACE_BINARY = ("mul_({})", "add_({})", "sub_({})", "div_({})", "copy_({})")
AUGMENTED = ("+=", "-=", "*=", "/=")
REDUCE = ("sum()", "mean()", "prod()", "norm()")
COMPOUND = (
    "({a}.unsqueeze(1) * {b}).sum(0)",  # broadcasting, sum over a dim
    "({a} @ {b}) * {a}",  # DotBackward0
    "F.mse_loss({a}, {b}) * {b}",
    "F.l1_loss({a}, {b}, reduction='none')",
    "F.binary_cross_entropy({a}.sigmoid(), {b}.sigmoid().detach(), reduction='none')",
    "F.linear({a}.unsqueeze(0), {b}.unsqueeze(0).expand(3, 3)).squeeze(0)",
    "{a}.unsqueeze(0).t().squeeze(1)",
    "{a}.expand(2, 3).sum(0)",
    "torch.matmul({a}.unsqueeze(0), {b}.unsqueeze(1)).squeeze() * {a}",
)


@st.composite
def programs(draw: st.DrawFn) -> str:
    """Source text of one random program over vectors of shape (3,)."""
    lines: list[str] = []
    names: list[str] = []

    def var() -> str:
        return draw(st.sampled_from(names))

    def new() -> str:
        name = f"t{len(names)}"
        names.append(name)
        return name

    for _ in range(draw(st.integers(1, 3))):
        values = draw(st.lists(st.sampled_from(VALUES), min_size=3, max_size=3))
        rg = draw(st.booleans())
        lines.append(f"{new()} = torch.tensor({values}, requires_grad={rg})")

    for _ in range(draw(st.integers(1, 9))):
        kind = draw(
            st.sampled_from(
                (
                    "unary",
                    "unary",
                    "function",
                    "binary",
                    "binary",
                    "scalar",
                    "alias",
                    "inplace",
                    "inplace2",
                    "augmented",
                    "setitem",
                    "slice_inplace",
                    "data_write",
                    "backward",
                    "backward",
                    "grad",
                    "requires_grad",
                    "retain",
                )
            )
        )
        a, b = var(), var()
        if kind == "unary":
            stmt = f"{new()} = {a}.{draw(st.sampled_from(UNARY))}"
        elif kind == "function":
            stmt = f"{new()} = " + draw(st.sampled_from(FUNCTIONS)).format(a)
        elif kind == "binary":
            stmt = f"{new()} = {a} {draw(st.sampled_from(BINARY))} {b}"
        elif kind == "compound":
            stmt = f"{new()} = " + draw(st.sampled_from(COMPOUND)).format(a=a, b=b)
        elif kind == "scalar":
            if draw(st.booleans()):
                stmt = f"{new()} = {a} {draw(st.sampled_from(SCALAR_RIGHT))}"
            else:
                stmt = f"{new()} = {draw(st.sampled_from(SCALAR_LEFT))}{a}"
        elif kind == "alias":
            stmt = f"{new()} = {a}" + draw(
                st.sampled_from((".detach()", ".data", "[:]", ".view(3)"))
            )
        elif kind == "inplace":
            stmt = f"{a}.{draw(st.sampled_from(INPLACE_UNARY))}"
        elif kind == "inplace2":
            stmt = f"{a}." + draw(st.sampled_from(INPLACE_BINARY)).format(b)
        elif kind == "augmented":
            stmt = f"{a} {draw(st.sampled_from(AUGMENTED))} {b}"
        elif kind == "setitem":
            stmt = f"{a}[{draw(st.integers(0, 2))}] = " + draw(st.sampled_from(("1.0", f"{b}[0]")))
        elif kind == "slice_inplace":
            stmt = f"{a}[0:2].mul_(2.0)"
        elif kind == "data_write":
            stmt = f"{a}." + draw(
                st.sampled_from(("data.mul_(2.0)", "detach().zero_()", "data.zero_()"))
            )
        elif kind == "backward":
            retain = draw(st.sampled_from(("", "retain_graph=True")))
            stmt = f"{a}.{draw(st.sampled_from(REDUCE))}.backward({retain})"
        elif kind == "grad":
            stmt = (
                f"gs = torch.autograd.grad({a}.sum(), [{b}], allow_unused=True)\n"
                "gsum = [float(g.sum()) for g in gs if g is not None]\ndel gs"
            )
        elif kind == "requires_grad":
            stmt = f"{a}.requires_grad_()"
        else:
            stmt = f"{a}.retain_grad()"
        # views made under no_grad have corner cases of their own (unit-tested separately)
        if kind not in ("unary", "alias", "requires_grad") and draw(st.integers(0, 4)) == 0:
            body = stmt.replace("\n", "\n    ")
            stmt = f"with torch.no_grad():\n    {body}"
        lines.append(stmt)
    return "\n".join(lines) + "\n"


@given(programs())
def test_engine_agrees_with_torch(source: str) -> None:
    collect = os.environ.get("ENGINE_DIFF_COLLECT")
    if not collect:
        assert_same(source, engine, torch)
        return
    try:
        assert_same(source, engine, torch)
        verdict = "agree"
    except Exception as exc:  # any failure counts as a disagreement here
        verdict = "DISAGREE " + repr(str(exc))
    with open(collect, "a", encoding="utf-8") as out:
        out.write(verdict + "\n")
