"""Facts the tensor-API rules rest on: element counts, views made by ``reshape`` of a fresh
tensor, ``isinstance`` tests on tensors, and loops over tensors that alias differently."""

from __future__ import annotations

from autograd_lint.analysis.element_count import surely_not_one
from autograd_lint.analysis.interpreter import analyze
from autograd_lint.analysis.trace import Backward, DetachViewInplace
from autograd_lint.analysis.values import Tensor

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"


def _counts(body: str) -> dict[str, object]:
    """The element count of each name the last statement binds, by name."""
    trace = analyze(HEADER + body)
    found: dict[str, object] = {}
    for bound in trace.bindings.values():
        for name, value in bound.items():
            if isinstance(value, Tensor):
                found[name] = value.elements
    return found


def test_literal_shapes_follow_elementwise_ops_and_broadcasting() -> None:
    counts = _counts("a = torch.randn(4, 1)\nb = torch.randn(3)\nc = a * b + 1\n")
    assert counts["c"].shape == (4, 3)  # type: ignore[union-attr]


def test_reductions_make_scalars_and_reductions_along_a_dim_drop_it() -> None:
    counts = _counts(
        "a = torch.randn(4, 3)\ns = a.sum()\nd = a.sum(1)\nm = torch.mean(a, dim=0)\n"
        "u = a.sum(dims)\n"
    )
    assert counts["s"].one  # type: ignore[union-attr]
    assert counts["d"].shape == (4,) and counts["m"].shape == (3,)  # type: ignore[union-attr]
    assert counts["u"] is None  # a dimension not known: nothing is


def test_linear_output_is_never_one_element_when_out_features_is_not_one() -> None:
    counts = _counts("fc = nn.Linear(4, 5)\nhead = nn.Linear(4, 1)\ny = fc(x)\nz = head(x)\n")
    assert surely_not_one(counts["y"])  # type: ignore[arg-type]
    assert not surely_not_one(counts["z"])  # type: ignore[arg-type]


def test_reduction_none_marks_a_per_element_loss() -> None:
    counts = _counts(
        "fc = nn.Linear(4, 3)\nl = F.cross_entropy(fc(x), y, reduction='none')\n"
        "m = F.cross_entropy(fc(x), y)\n"
    )
    assert counts["l"].unreduced is not None  # type: ignore[union-attr]
    assert counts["m"].one  # type: ignore[union-attr]


def test_a_backward_torch_refuses_frees_nothing() -> None:
    trace = analyze(
        HEADER + "w = torch.randn(3, requires_grad=True)\ny = w * w\ny.backward()\n"
        "y.sum().backward()\n"
    )
    second = [
        e for e in trace.of_type(Backward) if e.seq == max(b.seq for b in trace.of_type(Backward))
    ]
    assert second and not second[0].freed


def test_reshape_of_a_stacked_tensor_is_a_view() -> None:
    trace = analyze(
        HEADER + "x = torch.randn(3, requires_grad=True)\ns = torch.stack([x, x])\n"
        "v = s.reshape(6)\nv.detach_()\nc = s.contiguous()\nc.detach_()\n"
    )
    assert len(trace.of_type(DetachViewInplace)) == 1


def test_isinstance_of_a_tensor_decides_the_branch_and_loops_run_each_alias() -> None:
    trace = analyze(
        HEADER + "state = torch.randn(1, 2, 8)\n"
        "if not isinstance(state, tuple):\n    hidden = (state,)\nelse:\n    hidden = state\n"
        "feed = torch.zeros(2, 8).unsqueeze(0)\n"
        "for h in hidden + (feed,):\n    h.detach_()\n"
    )
    (event,) = trace.of_type(DetachViewInplace)
    assert event.tensor.alias_kind == "view"


def test_iterating_a_tensor_gives_views_of_its_rows() -> None:
    """``for r in t`` and ``[f(r) for r in t]`` bind views of ``t``: they require grad as
    it does (``.numpy()`` of one raises), and a row of a leaf is a view of that leaf."""
    from autograd_lint.lint import lint_source

    made = HEADER + "lin = nn.Linear(4, 3)\nout = lin(torch.randn(5, 4))\n"
    loops = {
        "rows = [r.numpy() for r in {t}]\n": "AG011",
        "for r in {t}:\n    print(r.numpy())\n": "AG011",
        "for r in {w}:\n    r.add_(1.0)\n": "AG007",
    }
    for body, code in loops.items():
        hit = made + body.format(t="out", w="lin.weight")
        assert [d.code for d in lint_source(hit).diagnostics] == [code], body
        miss = made + body.format(t="out.detach()", w="lin.weight.detach()")
        assert [d.code for d in lint_source(miss).diagnostics] == [], body
