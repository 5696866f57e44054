"""Side-by-side unit tests: each program runs on real torch and on the engine, same outcome.

Compared per program: how it ended (exception type and first message line), warnings, and
each tensor variable's requires_grad, is_leaf, grad_fn name, shape, dtype, version, values and
gradient. Nothing here is a number typed in: torch is the oracle.
"""

from __future__ import annotations

import pytest
from engine_harness import assert_same

from autograd_lint.runtime_check import engine

torch = pytest.importorskip("torch")

X = "x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)\n"
M = "m = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)\n"
C = "c = torch.tensor([1.0, 2.0, 3.0])\n"

PROGRAMS: dict[str, str] = {
    # leaves, in-place checks
    "leaf_inplace": X + "x.mul_(2)",
    "leaf_zero_": X + "x.zero_()",
    "view_of_leaf_inplace": X + "x[0].mul_(2)",
    "view_of_leaf_setitem": X + "x[0] = 1.0",
    "view_of_leaf_view_add_": X + "v = x.view(3)\nv.add_(1)",
    "leaf_inplace_no_grad": X + "with torch.no_grad():\n    x.mul_(2)\ny = x * 1",
    "detached_leaf_requires_grad_inplace": X + "v = x.detach()\nv.requires_grad_()\nv.mul_(2)",
    "expand_leaf_inplace": X + "y = x.expand(2, 3)\ny.add_(1)",
    "expand_inplace_overlap": C + "y = c.expand(2, 3)\ny.add_(1)",
    # saved tensors modified
    "sigmoid_output_modified": X + "y = x.sigmoid()\ny.mul_(2)\ny.sum().backward()",
    "sigmoid_detach_zero": X + "y = x.sigmoid()\ny.detach().zero_()\ny.sum().backward()",
    "sigmoid_row_zero": M + "y = m.sigmoid()\ny[0].zero_()\ny.sum().backward()",
    "mul_other_modified": X + C + "y = x * c\nc.add_(1)\ny.sum().backward()",
    "mul_view_other_modified": X + C + "w = c[1:]\ny = x[1:] * w\nw.add_(1)\ny.sum().backward()",
    "mul_self_rebased": X + "y = x * 2\nz = y * y\ny.add_(1)\nz.sum().backward()",
    "mul_view_saved_regenerated": X
    + "y = (x * 2).exp()\ny2 = y[0:2]\nz = y2 * y2\ny.add_(1)\nz.sum().backward()",
    "exp_view_modified": X + "y = x.exp()\nv = y[0:2]\nv.mul_(2)\ny.sum().backward()",
    "no_grad_modify_saved": X
    + "y = x.sigmoid()\nwith torch.no_grad():\n    y.mul_(2)\ny.sum().backward()",
    "data_write_silent": X + "y = (x * x).sum()\nx.data.mul_(10)\ny.backward()",
    "data_assign": X + "y = (x * x).sum()\nx.data = torch.tensor([1.0, 1.0, 1.0])\ny.backward()",
    "add_saves_nothing": X + "y = x + 1\nz = y.sum()\ny.mul_(3)\nz.backward()",
    "tanh_saved_twin": X + "y = x * 1\ny.tanh_()\ny.add_(1)\ny.sum().backward()",
    "exp_inplace_twice": X + "y = x * 1\ny.exp_()\nz = y.sum()\nz.backward()",
    "pow_tensor_output_saved": X + C + "y = x ** c\ny.add_(1)\ny.sum().backward()",
    "relu_saved_output_data": X + "y = x.relu()\ny.data.zero_()\ny.sum().backward()",
    # repeated backward
    "second_backward_exp": X + "y = x.exp()\ny.sum().backward()\ny.sum().backward()",
    "second_backward_add_ok": X + "y = (x + 1).sum()\ny.backward()\ny.backward()",
    "second_backward_retain": X + "y = (x * x).sum()\ny.backward(retain_graph=True)\ny.backward()",
    "second_backward_after_retain": X
    + "y = (x * x).sum()\ny.backward(retain_graph=True)\ny.backward()\ny.backward()",
    "shared_subgraph": X
    + "h = x.tanh()\na = h.sum()\nb = (h * 2).sum()\na.backward()\nb.backward()",
    "recurrent_state": X
    + "h = x * 1\nfor _ in range(2):\n    h = torch.tanh(h * 2)\n    h.sum().backward()",
    "recurrent_state_detached": X
    + "h = x * 1\nfor _ in range(2):\n    h = h.detach()\n    h = torch.tanh(h * x)\n    h.sum().backward()",
    # no grad
    "backward_no_grad": C + "c.sum().backward()",
    "backward_under_no_grad": X + "with torch.no_grad():\n    y = (x * 2).sum()\ny.backward()",
    "backward_detached": X + "y = x.detach().sum()\ny.backward()",
    "backward_rewrapped_item": X + "y = torch.tensor(x.sum().item())\ny.backward()",
    "nonscalar_backward": X + "(x * 2).backward()",
    "backward_with_gradient": X + "y = x + 1\ny.backward(torch.tensor([1.0, 2.0, 3.0]))",
    "backward_gradient_mismatch": X + "y = x + 1\ny.backward(torch.tensor([1.0, 2.0]))",
    "decorator_no_grad": X + "@torch.no_grad()\ndef f(t):\n    return t * 2\ny = f(x)",
    "decorator_no_grad_bare": X + "@torch.no_grad\ndef f(t):\n    return t * 2\ny = f(x)",
    "decorator_set_grad_enabled": X
    + "@torch.set_grad_enabled(False)\ndef f(t):\n    return t * 2\n"
    "y = f(x)\nz = x * 2\nw = f(x)",
    "decorator_inference_mode": X
    + "@torch.inference_mode()\ndef f(t):\n    return t * 2\ny = f(x)\nrg = y.requires_grad",
    "decorator_enable_grad": X + "@torch.enable_grad()\ndef f(t):\n    return t * 2\n"
    "with torch.no_grad():\n    y = f(x)",
    "enable_grad_inside": X
    + "with torch.no_grad():\n    with torch.enable_grad():\n        y = x * 2\n    z = x * 2",
    "set_grad_enabled_false": X + "with torch.set_grad_enabled(False):\n    y = x * 2\nz = x * 2",
    "set_grad_enabled_call": X
    + "torch.set_grad_enabled(False)\ny = x * 2\ntorch.set_grad_enabled(True)\nz = x * 2",
    "inference_saved": X
    + "with torch.inference_mode():\n    y = x * 2\nz = y * x\nz.sum().backward()",
    "inference_inplace": X + "with torch.inference_mode():\n    y = x * 2\ny.add_(1)",
    "inference_state": X + "with torch.inference_mode():\n    y = x * 2\nrg = y.requires_grad",
    "no_grad_view_inplace": X + "with torch.no_grad():\n    v = x[0:2]\nv.mul_(2)",
    "no_grad_view_state": X
    + "with torch.no_grad():\n    v = x[0:2]\nz = (v * 2).sum()\nz.backward()",
    "no_grad_view_nonleaf": X + "y = x * 2\nwith torch.no_grad():\n    v = y[0:2]\nv.mul_(2)",
    # numpy, item, tolist, warnings
    "numpy_requires_grad": X + "x.numpy()",
    "numpy_nonleaf": X + "(x * 2).numpy()",
    "numpy_detached": X + "a = x.detach().numpy().sum().item()",
    "item_many": X + "x.item()",
    "item_tolist": X + "s = x.sum().item()\nl = len(x.tolist())",
    "nonleaf_grad_warning": X + "y = x * 2\ng = y.grad",
    "tensor_of_tensor_warning": X + "y = torch.tensor(x)",
    "tensor_of_plain_tensor_warning": C + "y = torch.tensor(c)",
    # detach_, requires_grad_
    "detach_view": X + "y = x * 2\ny[0].detach_()",
    "detach_leaf_view": X + "x[0].detach_()",
    "detach_nonview": X + "y = x * 2\ny.detach_()",
    "requires_grad_nonleaf_on": X + "y = x * 2\ny.requires_grad_()",
    "requires_grad_nonleaf_off": X + "y = x * 2\ny.requires_grad_(False)",
    "requires_grad_attr_nonleaf": X + "y = x * 2\ny.requires_grad = False",
    "requires_grad_attr_nonleaf_true": X + "y = x * 2\ny.requires_grad = True",
    "requires_grad_int": "x = torch.tensor([1, 2])\nx.requires_grad_()",
    "requires_grad_int_ctor": "x = torch.tensor([1, 2], requires_grad=True)",
    "requires_grad_leaf_attr": C + "c.requires_grad = True\n(c * c).sum().backward()",
    # grads, accumulation, retain_grad, hooks
    "grad_accumulates": X + "(x * x).sum().backward()\n(x * 3).sum().backward()",
    "retain_grad": X + "y = x * x\ny.retain_grad()\ny.sum().backward()\ng = y.grad",
    "retain_grad_accumulates": X
    + "y = x * 1\ny.retain_grad()\ny.sum().backward(retain_graph=True)\ny.sum().backward()",
    "retain_grad_no_grad": C + "c.retain_grad()",
    "retains_grad_leaf": X + "x.retain_grad()\nr = x.retains_grad",
    "hook_leaf": X + "h = x.register_hook(lambda g: g * 2)\n(x * x).sum().backward()",
    "hook_nonleaf": X
    + "y = x * 1\ny.register_hook(lambda g: g * 3)\ny.retain_grad()\ny.sum().backward()",
    "hook_removed": X
    + "h = x.register_hook(lambda g: g * 2)\nh.remove()\n(x * x).sum().backward()",
    "hook_no_grad": C + "c.register_hook(lambda g: g)",
    "grad_assign": X + "x.grad = torch.tensor([1.0, 1.0, 1.0])\n(x * 2).sum().backward()",
    "grad_assign_wrong_size": X + "x.grad = torch.tensor([1.0, 1.0])",
    # autograd.grad / autograd.backward
    "autograd_grad": X + "(g,) = torch.autograd.grad((x * x).sum(), x)\ns = g.tolist()[2]\ndel g",
    "autograd_grad_twice": X
    + "y = x.exp().sum()\ntorch.autograd.grad(y, x)\ntorch.autograd.grad(y, x)",
    "autograd_grad_retain": X
    + "y = x.exp().sum()\ntorch.autograd.grad(y, x, retain_graph=True)\n(g,) = torch.autograd.grad(y, x)\ns = g.tolist()[2]\ndel g",
    "autograd_grad_unused": X
    + "w = torch.tensor([1.0], requires_grad=True)\ntorch.autograd.grad(x.sum(), w)",
    "autograd_grad_unused_allowed": X
    + "w = torch.tensor([1.0], requires_grad=True)\n(g,) = torch.autograd.grad(x.sum(), w, allow_unused=True)\nnone = g is None",
    "autograd_grad_no_grad_output": C + "torch.autograd.grad(c.sum(), c)",
    "autograd_grad_input_no_grad": X + "torch.autograd.grad(x.sum(), x.detach())",
    "autograd_grad_nonleaf_input": X
    + "y = x * x\n(g,) = torch.autograd.grad((y * 3).sum(), y)\ns = g.tolist()[2]\ndel g",
    "autograd_grad_no_accumulate": X
    + "torch.autograd.grad((x * x).sum(), x)\nnone = x.grad is None",
    "autograd_backward": X + "y = (x * x).sum()\ntorch.autograd.backward(y)",
    "autograd_backward_list": X + "torch.autograd.backward([(x * x).sum(), (x * 2).sum()])",
    # in-place rebasing and views
    "inplace_nonleaf_rebase": X + "y = x.exp()\ny += 1\ny.sum().backward()",
    "inplace_no_grad_nonleaf": X
    + "y = x * 1\nwith torch.no_grad():\n    y.mul_(2)\ny.sum().backward()",
    "inplace_makes_nonleaf": C + "c.add_(torch.tensor([1.0, 1.0, 1.0], requires_grad=True))",
    "inplace_view_copyslices": C + X + "c[0:2].add_(x[0:2])\nc.sum().backward()",
    "setitem_copyslices": C + X + "c[0] = x[1]\n(c * c).sum().backward()",
    "setitem_scalar_nonleaf": X + "y = x * 2\ny[0] = 1.0\ny.sum().backward()",
    "setitem_mask": X + "y = x * 2\ny[y > 0] = 0.0\ny.sum().backward()",
    "setitem_index_tensor": X
    + "y = x * 2\ny[torch.tensor([0, 2])] = 5.0\n(y * y).sum().backward()",
    "view_inplace_regenerates": X + "y = x * 2\nv = y[0:2]\nv.mul_(2)\nv.sum().backward()",
    "base_inplace_regenerates_view": X + "y = x * 2\nv = y[0:2]\ny.mul_(2)\nv.sum().backward()",
    "leaf_base_no_grad_regenerates": X
    + "v = x[0:2]\nwith torch.no_grad():\n    x.mul_(2)\nv.sum().backward()",
    "detach_shares_version": X + "y = x.detach()\ny.add_(1)",
    "data_not_version": X + "y = x.data\ny.add_(1)",
    "clone_keeps_history": X + "y = x.clone()\ny.sum().backward()",
    "clone_detach": X + "y = x.detach().clone()\ny.add_(1)",
    "view_chain_names": M
    + "a = m[0]\nb = m[:, 1]\nc2 = m[1:, 0]\nd = m[None, 0]\ne = m[..., 0]\nf = m[...]\ng = m[:, :]\nh = m[:]\ni = m[0, None]",
    "view_ops": M
    + "a = m.t()\nb = m.transpose(0, 1)\nc2 = m.permute(1, 0)\nd = m.view(6)\ne = m.reshape(3, 2)\nf = m.unsqueeze(0)\ng = f.squeeze()\nh = f.squeeze(0)\ni = m.flatten()\nj = m.t().reshape(6)\nk = m.t().contiguous()\nl = m.contiguous()",
    "view_incompatible": M + "m.t().view(6)",
    "index_tensor": M + "a = m[torch.tensor([1, 0])]\nb = m[m > 0]\n(a.sum() + b.sum()).backward()",
    "inplace_broadcast_mismatch": X + "y = x.mean(0, keepdim=True)\ny += x",
    "expand_same_shape_write": C + "y = c.expand(3)\ny[0:2].mul_(2.0)",
    "view_requires_grad_follows_base": C + "v = c.reshape(3)\nc.requires_grad_()\nv.abs_()",
    "inplace_other_is_self": X + "y = x * x\ny.mul_(y)\ny.sum().backward()",
    "inplace_div_self_saved_output": X + "y = x.sigmoid()\ny.div_(y)\ny.sum().backward()",
    "prod_nan_spreads": "x = torch.tensor([0.5, -2.0, 1.5], requires_grad=True)\nx.log().prod().backward()",
    "prod_with_zero": "x = torch.tensor([0.0, -2.0, 1.5], requires_grad=True)\nx.prod().backward()",
    "batched_matmul_folds": M + "y = m.unsqueeze(0).expand(2, 2, 3) @ m.t()\ny.sum().backward()",
    "leaf_view_of_plain_leaf": C + "v = c.view(3)\nv.requires_grad_()\nv.sub_(c)",
    "view_regenerates_after_base_requires_grad": C
    + "v = c[:]\nv[1] = 2.0\nw = v.sigmoid()\nc.requires_grad_()",
    "inf_minus_inf_no_warning": X + "x.detach().zero_()\ny = 2.0 / x\nz = y - y",
    "copyslices_second_backward": C
    + X
    + "c[2] = x[0]\nc.sum().backward()\nc[0:2].mul_(2.0)\nc.sum().backward()",
    "copyslices_in_message": X
    + "y = torch.exp(x)\ny.detach().zero_()\nz = y.abs()\ny[0:2].mul_(2.0)\nz.sum().backward()",
    "copy_broadcast_mismatch": X + "y = x.mean(0, keepdim=True).detach()\ny.copy_(x)",
    "grad_wrt_output_skips_its_node": X
    + "y = x * x\nz = y * 2\nwith torch.no_grad():\n    y.zero_()\n"
    "gs = torch.autograd.grad(z.sum(), [z])\nn = len(gs)\ndel gs",
    "grad_capture_keeps_copyslices": C + X + "c[0] = x[0]\ngs = torch.autograd.grad(c.sum(), [c])\n"
    "d = c.tanh()\ngs = torch.autograd.grad(d.sum(), [c])\nn = len(gs)\ndel gs",
    "retain_grad_follows_inplace_on_view": X + "y = x.neg()\ny.retain_grad()\ny[0:2].mul_(2.0)\n"
    "y.sub_(y * 0.5)\ny.sum().backward()",
    "retain_grad_follows_inplace": X
    + "y = x.neg()\ny.retain_grad()\ny.mul_(3.0)\n(y * y).sum().backward()",
    "expand_backward": X + "y = x.expand(2, 3)\n(y * y).sum().backward()",
    "unsqueeze_expand_sum": X + "y = x.unsqueeze(1).expand(3, 2)\ny.sum().backward()",
    # dtypes
    "int_promotion": "a = torch.arange(3)\nb = a * 2.5\nc2 = a / 2\nd = a + 1\ne = torch.tensor([1, 2]) * torch.tensor(2.0)",
    "int_inplace_cast_error": "a = torch.arange(3)\na += 1.5",
    "comparisons": X + "a = x > 0\nb = x.eq(x)\nc2 = x.argmax()\nd = x.lt(1.0)",
}


LIN = (
    "lin = torch.nn.Linear(3, 2)\n"
    "with torch.no_grad():\n"
    "    lin.weight.copy_(torch.tensor([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]))\n"
    "    lin.bias.copy_(torch.tensor([0.05, -0.05]))\n"
    "w = lin.weight\n"
    "b = lin.bias\n"
)
NN_PROGRAMS: dict[str, str] = {
    "linear_module": X + LIN + "y = lin(x)\ny.sum().backward()",
    "sgd_step_bumps_version": X + LIN + "opt = torch.optim.SGD(lin.parameters(), lr=0.1)\n"
    "loss = lin(x).pow(2).sum()\nloss.backward()\nopt.step()\nopt.zero_grad()\ndel opt",
    "sgd_step_then_backward": X + LIN + "opt = torch.optim.SGD(lin.parameters(), lr=0.1)\n"
    "out = lin(x.unsqueeze(0))\nl1 = out.sum()\nl2 = (out * out).sum()\nl1.backward()\n"
    "opt.step()\nl2.backward()\ndel opt",
    "sgd_step_saved_weight": LIN + "h = torch.tensor([[0.5, -1.0, 2.0]], requires_grad=True)\n"
    "opt = torch.optim.SGD(lin.parameters(), lr=0.1)\nout = lin(h)\n"
    "out.sum().backward(retain_graph=True)\nopt.step()\nout.sum().backward()\ndel opt",
    "adam_step": X + LIN + "opt = torch.optim.Adam(lin.parameters(), lr=0.1)\n"
    "lin(x).pow(2).sum().backward()\nopt.step()\ndel opt",
    "adamw_step": X + LIN + "opt = torch.optim.AdamW(lin.parameters(), lr=0.1)\n"
    "lin(x).pow(2).sum().backward()\nopt.step()\ndel opt",
    "sgd_momentum_two_steps": X
    + LIN
    + "opt = torch.optim.SGD(lin.parameters(), lr=0.1, momentum=0.9)\n"
    "for _ in range(2):\n    opt.zero_grad()\n    lin(x).pow(2).sum().backward()\n    opt.step()\ndel opt",
    "sequential": X + LIN + "net = torch.nn.Sequential(lin, torch.nn.ReLU(), torch.nn.Sigmoid())\n"
    "y = net(x)\ny.sum().backward()\nn = len(list(net.parameters()))\ndel net",
    "mse_module": X + C + "loss = torch.nn.MSELoss()(x, c)\nloss.backward()",
    "cross_entropy_module": M
    + "k = torch.tensor([2, 0])\nloss = torch.nn.CrossEntropyLoss()(m, k)\nloss.backward()",
    "parameter_leaf": "p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))\nq = p * 2\nq.sum().backward()",
    "parameter_inplace": "p = torch.nn.Parameter(torch.tensor([1.0, 2.0]))\np.add_(1)",
    "module_zero_grad": X
    + LIN
    + "lin(x).sum().backward()\nlin.zero_grad()\nnone = lin.weight.grad is None",
    "data_update_params": X + LIN + "loss = lin(x).sum()\nloss.backward()\n"
    "for p in lin.parameters():\n    p.data -= 0.1 * p.grad\ndel p",
    "no_grad_update_params": X + LIN + "loss = (lin(x) ** 2).sum()\nloss.backward()\n"
    "with torch.no_grad():\n    for p in lin.parameters():\n        p -= 0.1 * p.grad\ndel p\nloss.backward()",
}
PROGRAMS.update(NN_PROGRAMS)


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_same_as_torch(name: str) -> None:
    assert_same(PROGRAMS[name], engine, torch)
