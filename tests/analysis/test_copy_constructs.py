"""Copy-constructs that drop a graph (:mod:`autograd_lint.analysis.tensor_copy`) and the
in-place methods that change only a tensor's shape (``ops.METADATA_INPLACE``). Each case is
also run on torch: the rule fires exactly where torch warns, raises or cuts the graph."""

from __future__ import annotations

import warnings

import pytest

from autograd_lint.lint import lint_source

HEADER = (
    "import torch\n\n"
    "a = torch.randn(3, requires_grad=True)\n"
    "b = torch.randn(3, requires_grad=True)\n"
)


def _codes(body: str) -> list[tuple[str, int]]:
    offset = HEADER.count("\n")
    return [(d.code, d.line - offset) for d in lint_source(HEADER + body, "case.py").diagnostics]


COPIES = [
    # a list of tensors that require grad: their values are kept, their graphs dropped
    (
        "losses = []\nfor i in range(2):\n    losses.append((a * b).mean())\nt = torch.tensor(losses)\n",
        4,
    ),
    ("t = torch.tensor([(a * b).sum(), 1.0])\n", 1),
    # a copy that asks for requires_grad= is a new leaf, not the tensor's graph
    ("s = a * b\nt = s.new_tensor(s, requires_grad=True)\n", 2),
    ("s = a * b\nt = torch.tensor(s, requires_grad=True)\n", 2),
    ("s = a.detach()\nt = s.new_tensor(s)\n", 2),
]

COPY_LOOK_ALIKES = [
    "losses = []\nfor i in range(2):\n    losses.append((a * b).mean())\nt = torch.stack(losses)\n",
    "losses = [(a * b).mean().item() for i in range(2)]\nt = torch.tensor(losses)\n",
    "t = torch.tensor([torch.tensor(1.0), torch.tensor(2.0)])\n",  # nothing requires grad
    "t = torch.tensor([f(a), 1.0])\n",  # facts of the item not known
    "t = a.new_tensor([1.0, 2.0])\n",
    "t = torch.tensor(s_list)\n",
]


@pytest.mark.parametrize(("body", "line"), COPIES)
def test_copy_constructs_that_drop_a_graph_are_reported(body: str, line: int) -> None:
    assert _codes(body) == [("AG005", line)]


@pytest.mark.parametrize("body", COPY_LOOK_ALIKES)
def test_copy_look_alikes_stay_silent(body: str) -> None:
    assert _codes(body) == []


@pytest.mark.torch
@pytest.mark.parametrize(("body", "line"), COPIES)
def test_torch_warns_or_cuts_the_graph_for_each_copy(body: str, line: int) -> None:
    torch = pytest.importorskip("torch")
    namespace: dict[str, object] = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(HEADER + body, namespace)
    copy = namespace["t"]
    assert isinstance(copy, torch.Tensor)
    assert copy.grad_fn is None  # no graph of the source reaches the copy
    if "torch.tensor([" not in body and "losses" not in body:
        assert caught, "torch warns about the copy of a tensor"


METADATA = [
    # sigmoid saved its output; unsqueeze_ bumps its version: the backward raises
    ("s = torch.sigmoid(a)\ns.unsqueeze_(0)\ns.sum().backward()\n", [("AG002", 2)], True),
    # a leaf that requires grad refuses an in-place op, even a reshape
    ("a.unsqueeze_(0)\n", [("AG007", 1)], True),
]

METADATA_LOOK_ALIKES = [
    # through .data only the alias is reshaped: the saved tensor is untouched
    "y = (a * a).sum()\na.data.unsqueeze_(0)\ny.backward()\n",
    # add saves nothing: torch accepts the bump
    "s = a + b\ns.unsqueeze_(0)\ns.sum().backward()\n",
    "s = torch.sigmoid(a)\ns.sum().backward()\ns.unsqueeze_(0)\n",
]


@pytest.mark.parametrize(("body", "expected", "raises"), METADATA)
def test_shape_only_inplace_methods_bump_the_version(
    body: str, expected: list[tuple[str, int]], raises: bool
) -> None:
    assert _codes(body) == expected


@pytest.mark.parametrize("body", METADATA_LOOK_ALIKES)
def test_shape_only_inplace_look_alikes_stay_silent(body: str) -> None:
    assert _codes(body) == []


@pytest.mark.torch
@pytest.mark.parametrize(
    ("body", "raises"),
    [(body, raises) for body, _, raises in METADATA]
    + [(body, False) for body in METADATA_LOOK_ALIKES],
)
def test_torch_agrees_on_shape_only_inplace_methods(body: str, raises: bool) -> None:
    pytest.importorskip("torch")
    if raises:
        with pytest.raises(RuntimeError):
            exec(HEADER + body, {})
    else:
        exec(HEADER + body, {})


FLAGGED_COPIES = [body for body, _ in COPIES if "new_tensor" in body or "requires_grad=" in body]


@pytest.mark.parametrize("body", FLAGGED_COPIES)
@pytest.mark.parametrize("backend", ["mini", pytest.param("torch", marks=pytest.mark.torch)])
def test_a_copy_of_a_tensor_is_witnessed_by_torchs_warning(body: str, backend: str) -> None:
    """``new_tensor`` and ``requires_grad=`` copies: the witness copies as the file does
    (the method, its literal options) and both backends give torch's warning."""
    from autograd_lint.config import Settings
    from autograd_lint.runtime_check import confirm_many

    result = lint_source(HEADER + body, "case.py", Settings(), witnesses=True)
    (finding,) = result.diagnostics
    assert finding.witness is not None
    script = finding.witness.script
    copy_line = body.splitlines()[-1]
    assert copy_line in script or "copied = " in script
    assert ("new_tensor(" in script) == ("new_tensor(" in body)
    assert ("requires_grad=True)" in script) == ("requires_grad=True)" in body)
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


@pytest.mark.parametrize("backend", ["mini", pytest.param("torch", marks=pytest.mark.torch)])
def test_a_list_copy_is_witnessed_by_torchs_scalar_warning(backend: str) -> None:
    """torch warns once per process as it turns a tensor that requires grad into a number
    (one-element tensors included); each witness replays in a process of its own, so the
    warning is the evidence of that copy."""
    from autograd_lint.config import Settings
    from autograd_lint.runtime_check import confirm_many

    result = lint_source(HEADER + COPIES[1][0], "case.py", Settings(), witnesses=True)
    (finding,) = result.diagnostics
    assert finding.witness is not None
    assert finding.witness.expectation.message.startswith("Converting a tensor with requires_grad")
    (verdict,) = confirm_many([finding.witness], backend=backend)
    assert verdict.status == "confirmed", verdict


def test_a_stand_in_copy_is_written_with_the_files_method_and_options() -> None:
    """distiller's ``out.new_tensor(out, requires_grad=True)`` of a student's output the
    slice cannot build: the copy of a stand-in, by the same method with the same option."""
    from pathlib import Path

    from autograd_lint.config import Settings

    path = Path(__file__).parents[1] / "realworld/AG005/distiller_kd_new_tensor_student_logits.py"
    result = lint_source(path.read_text(), str(path), Settings(), witnesses=True)
    (finding,) = [d for d in result.diagnostics if d.code == "AG005"]
    assert finding.witness is not None
    assert "copied = source.new_tensor(source, requires_grad=True)" in finding.witness.script
