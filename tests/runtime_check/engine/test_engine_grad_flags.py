"""Side by side on torch and the engine: the behaviour AG006, AG007 and AG008 rest on.

Reading `.grad` of a non-leaf (the warning, and None), in-place writes on leaves and on
views of them (which of torch's two messages, and where no error is raised), and changing
`requires_grad` on non-leaves and on tensors cut from their graph. torch is the oracle:
each program's outcome, warnings and tensor states must agree.
"""

from __future__ import annotations

import pytest
from engine_harness import assert_same

from autograd_lint.runtime_check import engine

torch = pytest.importorskip("torch")

X = "x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)\n"
M = "m = torch.tensor([[0.5, -1.0], [2.0, 1.5]], requires_grad=True)\n"

PROGRAMS: dict[str, str] = {
    # AG006: .grad of non-leaves
    "nonleaf_grad_after_backward": X
    + "y = x * 2\ny.sum().backward()\ng = y.grad\nnone = g is None",
    "view_of_leaf_grad": X + "v = x.view(3, 1)\nv.sum().backward()\nnone = v.grad is None",
    "clone_grad": X + "c = x.clone()\n(c * c).sum().backward()\nnone = c.grad is None",
    "double_copy_grad": X + "d = x.double()\n(d * 3).sum().backward()\nnone = d.grad is None",
    "retained_nonleaf_grad": X + "y = x.exp()\ny.retain_grad()\ny.sum().backward()\ng = y.grad",
    "leaf_grad_no_warning": X + "(x * 2).sum().backward()\ng = x.grad",
    # AG007: in-place on leaves
    "leaf_isub_after_backward": X + "(x * x).sum().backward()\nx -= 0.1 * x.grad",
    "leaf_sub_method": X + "(x * x).sum().backward()\nx.sub_(0.1 * x.grad)",
    "leaf_setitem_int": X + "x[0] = 1.0",
    "leaf_setitem_full_slice": X + "x[:] = 1.0",
    "leaf_setitem_ellipsis": X + "x[...] = 1.0",
    "leaf_setitem_partial_slice": X + "x[0:2] = 1.0",
    "leaf_setitem_covering_slice": X + "x[0:3] = 1.0",
    "leaf_setitem_unit_step": X + "x[::1] = 1.0",
    "leaf_setitem_list_index": X + "x[[0, 1]] = 1.0",
    "leaf_2d_column_isub": M + "m[:, 1] -= 1.0",
    "leaf_2d_full_slices": M + "m[:, :] = 0.0",
    "leaf_view_fill": X + "v = x[1]\nv.fill_(0.0)",
    # the index, then the value's shape, are checked before the leaf: which error comes
    "leaf_setitem_too_many_indices": M + "m[:, :, :, :] = 0.0",
    "leaf_setitem_index_out_of_range": X + "x[5] = 1.0",
    "leaf_setitem_whole_value_too_wide": M + "m[:] = torch.tensor([1.0, 2.0, 3.0])",
    "leaf_setitem_row_value_too_wide": M + "m[0] = torch.tensor([1.0, 2.0, 3.0])",
    "leaf_setitem_list_value_too_wide": X + "x[[0, 1]] = torch.tensor([1.0, 2.0, 3.0])",
    "leaf_setitem_row_unit_leading": M + "m[0] = torch.tensor([[1.0, 2.0]])",
    "leaf_setitem_whole_broadcast": M + "m[:] = torch.tensor([1.0, 2.0])",
    "nonleaf_setitem_broadcast": M
    + "y = m * 2\ny[:] = torch.tensor([1.0, 2.0])\ny.sum().backward()\ng = m.grad",
    "nonleaf_setitem_too_wide": M + "y = m * 2\ny[1] = torch.tensor([1.0, 2.0, 3.0])",
    "leaf_update_no_grad": X
    + "(x * x).sum().backward()\nwith torch.no_grad():\n    x -= 0.1 * x.grad",
    "detached_leaf_requires_grad_isub": X + "d = x.detach()\nd.requires_grad_()\nd -= 1.0",
    "detached_copy_inplace": X + "d = x.detach()\nd.mul_(2)",
    "nonleaf_inplace": X + "y = x * 2\ny.add_(1)\ny.sum().backward()\ng = x.grad",
    # AG008: requires_grad on non-leaves, and on cut losses
    "nonleaf_flag_true": X + "y = x * 2\ny.requires_grad = True",
    "nonleaf_flag_false": X + "y = x.sigmoid()\ny.requires_grad = False",
    "nonleaf_method_false": X + "y = x.sigmoid()\ny.requires_grad_(False)",
    "nonleaf_method_true_accepted": X + "y = x * 2\ny.requires_grad_()\nflag = y.requires_grad",
    "cut_loss_flag_true": X
    + "loss = (x * x).sum().detach()\nloss.requires_grad = True\nloss.backward()\nnone = x.grad is None",
    "cut_loss_method": X
    + "with torch.no_grad():\n    loss = (x * x).sum()\nloss.requires_grad_()\nloss.backward()\nnone = x.grad is None",
    "detached_input_made_leaf": X
    + "a = x.detach()\na.requires_grad_()\n(a * 3).sum().backward()\nga = a.grad\nnone = x.grad is None",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_engine_agrees_with_torch(name: str) -> None:
    assert_same(PROGRAMS[name], engine, torch)


def test_the_programs_show_the_errors_and_the_warning() -> None:
    """The cases above do exercise what the rules cite: torch raises or warns in them."""
    from engine_harness import run

    assert "not a leaf Tensor" in " ".join(
        run(PROGRAMS["nonleaf_grad_after_backward"], torch).warnings
    )
    assert run(PROGRAMS["leaf_setitem_int"], torch).message.startswith("a view of a leaf Variable")
    assert run(PROGRAMS["leaf_setitem_full_slice"], torch).message.startswith("a leaf Variable")
    assert run(PROGRAMS["nonleaf_flag_true"], torch).message == (
        "you can only change requires_grad flags of leaf variables."
    )
    assert run(PROGRAMS["cut_loss_flag_true"], torch).values["none"] is True
