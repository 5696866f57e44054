"""The behaviours AG009, AG011 and AG012 rest on, on the mini engine and on torch: same outcome,
same message, same autograd state afterwards.

- backward without a gradient needs exactly one element (zero elements fail too);
- ``numpy()`` refuses a tensor that requires grad only while grad mode is on;
- ``detach_()`` refuses any view (of a leaf, of a plain tensor, made under ``no_grad``),
  and a ``detach()`` whose result is dropped leaves its receiver's history in place.
"""

from __future__ import annotations

import pytest
from engine_harness import assert_same, run

from autograd_lint.analysis import witness_tensor_api
from autograd_lint.runtime_check import engine
from autograd_lint.runtime_check.engine import messages

torch = pytest.importorskip("torch")

X = "x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)\n"
M = "m = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)\n"

PROGRAMS: dict[str, str] = {
    # AG009
    "backward_vector": X + "y = x * 2\ny.backward()",
    "backward_matrix_exp": M + "m.exp().backward()",
    "backward_one_element": X + "y = x[0:1] * 3\ny.backward()",
    "backward_no_elements": X + "y = x[0:0] * 3\ny.backward()",
    "backward_vector_gradient": X + "y = x * 2\ny.backward(torch.ones_like(y))",
    "backward_vector_sum": X + "y = x * 2\ny.sum().backward()",
    "autograd_grad_vector": X + "g = torch.autograd.grad(x * 2, x)",
    "autograd_grad_outputs": X + "(g,) = torch.autograd.grad(x * 2, x, torch.ones(3))",
    "autograd_backward_vector": X + "torch.autograd.backward(x * 2)",
    "backward_vector_no_grad_fn": "c = torch.tensor([1.0, 2.0])\n(c * 2).backward()",
    "mse_none_backward": X
    + "t = torch.tensor([0.0, 1.0, 1.0])\nF.mse_loss(x, t, reduction='none').backward()",
    "mse_mean_backward": X + "t = torch.tensor([0.0, 1.0, 1.0])\nF.mse_loss(x, t).backward()",
    # AG011
    "numpy_leaf": X + "x.numpy()",
    "numpy_cpu_nonleaf": X + "(x * 2).cpu().numpy()",
    "numpy_under_no_grad": X + "with torch.no_grad():\n    a = x.numpy().sum().item()",
    "numpy_force": X + "a = x.numpy(force=True).sum().item()",
    "numpy_detach_cpu": X + "a = (x * 2).detach().cpu().numpy().sum().item()",
    # AG012
    "detach_inplace_slice": X + "y = x * 2\nv = y[0:2]\nv.detach_()",
    "detach_inplace_transpose": M + "v = (m * 2).t()\nv.detach_()",
    "detach_inplace_view_of_plain": "c = torch.tensor([1.0, 2.0, 3.0])\nc[0:2].detach_()",
    "detach_inplace_view_no_grad": X + "with torch.no_grad():\n    v = x[0:2]\nv.detach_()",
    "detach_inplace_unsqueeze": X + "v = (x * 2).unsqueeze(0)\nv.detach_()",
    "detach_inplace_reshape_of_stack": X
    + "s = torch.stack([x, x], 0)\nv = s.reshape(6)\nv.detach_()",
    "detach_inplace_of_detach": X + "y = (x * 2).detach()\ny.detach_()",
    "detach_inplace_nonview": X + "y = x * 2\ny.detach_()\nrg = y.requires_grad",
    "detach_discarded": X + "h = x * 2\nh.detach()\nhas_history = h.grad_fn is not None",
    "detach_rebound": X + "h = x * 2\nh = h.detach()\nrg = h.requires_grad",
    # ``type``: the legacy name, or a cast (AG003's argmax-as-float predictions)
    "type_name": X + "name = x.type()\nlong_name = x.long().type()",
    "type_same_dtype": X + "y = x.type(torch.float32)\nsame = y is x\ny.sum().backward()",
    "type_to_double": X + "y = x.type(torch.float64)\n(y * 2).sum().backward()",
    "type_by_name": X + "y = x.type('torch.DoubleTensor')\ny.sum().backward()",
    "type_by_class": X + "y = x.type(torch.LongTensor)\nrg = y.requires_grad",
    "long_of_leaf": X + "y = x.long()\nz = (x * 2).int()\nrg = y.requires_grad or z.requires_grad",
    # AG005: copy-constructing from a tensor warns, by ``torch.tensor`` or ``new_tensor``
    "new_tensor_of_tensor": M + "out = m * 2\ncopied = out.new_tensor(out, requires_grad=True)",
    "new_tensor_of_list": M + "copied = m.new_tensor([1.0, 2.0])",
    "tensor_of_tensor": M + "copied = torch.tensor(m * 2)",
    "tensor_of_scalars_list": X + "copied = torch.tensor([x[0].detach(), x[1].detach()])",
    "type_of_argmax_backward": M
    + "p = torch.softmax(m, dim=1).argmax(dim=1).type(torch.float32)\n"
    + "F.mse_loss(p, torch.tensor([0.0, 1.0])).backward()",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_same_as_torch(name: str) -> None:
    assert_same(PROGRAMS[name], engine, torch)


@pytest.mark.parametrize(
    ("program", "message", "prefix"),
    [
        ("backward_vector", messages.IMPLICIT_SCALAR, witness_tensor_api.IMPLICIT_SCALAR),
        ("numpy_leaf", messages.NUMPY_REQUIRES_GRAD, witness_tensor_api.NUMPY_REQUIRES_GRAD),
        ("detach_inplace_slice", messages.DETACH_VIEW, witness_tensor_api.DETACH_VIEW),
    ],
)
def test_messages_are_torchs_own(program: str, message: str, prefix: str) -> None:
    """The engine's message is torch's whole first line, and the witnesses expect its start."""
    outcome = run(PROGRAMS[program], torch)
    assert outcome.status == "RuntimeError"
    assert outcome.message == message.splitlines()[0]
    assert message.startswith(prefix)
