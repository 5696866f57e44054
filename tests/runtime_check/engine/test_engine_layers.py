"""Programs over the layer ops and modules, run on torch and on the engine: same behaviour.

Beyond the per-op saving checks of ``test_engine_ops``: in-place activations (functional and
``inplace=True`` modules) that invalidate a tensor saved earlier, exactly when torch's do;
in-place writes into the views ``split`` returns; writes to the indices ``max``/``topk`` save;
module containers; legacy constructors; integer and boolean indexing.
"""

from __future__ import annotations

import pytest
from engine_harness import assert_same

from autograd_lint.runtime_check import engine

torch = pytest.importorskip("torch")

SETUP = (
    "x = torch.tensor([[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]], requires_grad=True)\n"
    "b = torch.tensor([[0.3, 0.7, -0.2], [0.9, -0.4, 0.1]], requires_grad=True)\n"
)

PROGRAMS: dict[str, str] = {
    # in-place activations after an op that saved its output / input
    "relu_module_after_sigmoid": "y = torch.sigmoid(x)\ntorch.nn.ReLU(inplace=True)(y)\ny.sum().backward()",
    "relu_module_after_mul": "y = x * 2\nz = torch.nn.ReLU(inplace=True)(y)\nsame = z is y\nz.sum().backward()",
    "relu_module_after_exp": "y = x.exp()\nz = torch.nn.ReLU(True)(y)\nz.sum().backward()",
    "relu_module_not_inplace": "y = torch.sigmoid(x)\nz = torch.nn.ReLU()(y)\n(y + z).sum().backward()",
    "f_relu_inplace": "y = torch.sigmoid(x)\nF.relu(y, inplace=True)\ny.sum().backward()",
    "f_relu_inplace_ok": "y = x * 1\nz = F.relu(y, inplace=True)\nz.sum().backward()",
    "leaky_module_inplace": "y = x.tanh()\ntorch.nn.LeakyReLU(0.1, inplace=True)(y)\ny.sum().backward()",
    "leaky_inplace_then_write": "y = x * 1\nz = F.leaky_relu(y, 0.2, inplace=True)\nwith torch.no_grad():\n    z.add_(0)\nz.sum().backward()",
    "elu_module_inplace": "y = x * 1\nz = torch.nn.ELU(inplace=True)(y)\nz.sum().backward()",
    "elu_inplace_after_sigmoid": "y = x.sigmoid()\ntorch.nn.ELU(alpha=0.5, inplace=True)(y)\ny.sum().backward()",
    "hardtanh_module_inplace": "y = x * 1\nz = torch.nn.Hardtanh(inplace=True)(y)\nwith torch.no_grad():\n    y.add_(0)\nz.sum().backward()",
    "hardtanh_after_sigmoid": "y = x.sigmoid()\ntorch.nn.Hardtanh(-0.5, 0.5, True)(y)\ny.sum().backward()",
    "dropout_module_eval_inplace": "m = torch.nn.Dropout(0.5, inplace=True)\nm.eval()\ny = x.sigmoid()\nz = m(y)\nsame = z is y\nz.sum().backward()\ndel m",
    "dropout_p0_inplace": "y = x.sigmoid()\nz = F.dropout(y, 0.0, inplace=True)\nz.sum().backward()",
    "inplace_on_leaf": "torch.nn.ReLU(inplace=True)(x)",
    # split / chunk outputs are views of one node
    "split_inplace": "y = x * 1\na, c = torch.split(y, 2, 1)\na.mul_(2)",
    "chunk_inplace_leaf": "a, c = x.chunk(2, 1)\nc.add_(1)",
    "split_no_grad_inplace": "y = x * 1\na, c = y.split([1, 2], 1)\nwith torch.no_grad():\n    a.mul_(2)\nn = c.requires_grad",
    "split_view_inplace": "y = x * 1\na, c = y.split(2, 1)\na[0].mul_(2)",
    "split_backward": "a, c = x.split(2, 1)\n(a.sum() * 2 + c.sum()).backward()",
    # saved indices
    "max_dim_indices_written": "v, i = x.max(1)\ni.add_(0)\nv.sum().backward()",
    "max_dim_input_written": "v, i = x.max(dim=1)\nwith torch.no_grad():\n    x.add_(1)\nv.sum().backward()",
    "topk_indices_written": "r = x.topk(2, dim=1)\nr.indices.zero_()\nr.values.sum().backward()\ndel r",
    "max_full_input_written": "y = x * 1\nv = y.max()\ny.add_(1)\nv.backward()",
    "max_ties": "y = torch.tensor([1.0, 3.0, 3.0], requires_grad=True)\ny.max().backward()",
    # modules
    "sequential": "torch.manual_seed(0)\nm = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Tanh())\nm.add_module('out', torch.nn.Sigmoid())\nn = len(m)\nfirst = type(m[0]).__name__\nlast = type(m[-1]).__name__\nk = len(list(m.parameters()))\ndel m",
    "module_list_dict": "ml = torch.nn.ModuleList([torch.nn.ReLU(), torch.nn.Tanh()])\nmd = torch.nn.ModuleDict({'a': torch.nn.ReLU()})\ny = md['a'](ml[1](x))\nn = len(ml) + len(md)\ny.sum().backward()\ndel ml, md",
    "conv2d_module": "m = torch.nn.Conv2d(1, 2, 2)\nwith torch.no_grad():\n    m.weight.fill_(0.5)\n    m.bias.fill_(0.1)\ny = m(x.reshape(1, 1, 2, 3))\ny.sum().backward()\nw = m.weight.grad\ndel m",
    "conv1d_module": "m = torch.nn.Conv1d(2, 1, 2, padding=1)\nwith torch.no_grad():\n    m.weight.fill_(0.5)\n    m.bias.zero_()\ny = m(x.unsqueeze(0))\ny.sum().backward()\ndel m",
    "batchnorm_train": "m = torch.nn.BatchNorm1d(3)\ny = m(x)\n(y * b).sum().backward()\nrm = m.running_mean\nrv = m.running_var\nnb = m.num_batches_tracked\ndel m",
    "batchnorm_eval": "m = torch.nn.BatchNorm1d(3)\nm.eval()\ny = m(x)\n(y * b).sum().backward()\nrm = m.running_mean\ndel m",
    "batchnorm2d": "m = torch.nn.BatchNorm2d(2)\ny = m(x.reshape(1, 2, 3, 1))\n(y * y).sum().backward()\nrv = m.running_var\ndel m",
    "batchnorm_running_written": "m = torch.nn.BatchNorm1d(3)\nm.eval()\ny = m(x)\nm.running_var.add_(1)\ny.sum().backward()\ndel m",
    "layernorm_module": "m = torch.nn.LayerNorm(3)\ny = m(x)\n(y * b).sum().backward()\ng = m.weight.grad\ndel m",
    "groupnorm_module": "m = torch.nn.GroupNorm(1, 2)\ny = m(x.unsqueeze(0))\n(y * b).sum().backward()\ndel m",
    "embedding_module": "m = torch.nn.Embedding(4, 3)\nwith torch.no_grad():\n    m.weight.copy_(torch.arange(12.0).reshape(4, 3))\ny = m(torch.tensor([1, 3, 1]))\ny.sum().backward()\ng = m.weight.grad\ndel m",
    "flatten_module": "y = torch.nn.Flatten()(x.reshape(2, 3, 1))\nz = torch.nn.Flatten(0)(x)\nshape = tuple(y.shape) + tuple(z.shape)\n(y * 2).sum().backward()",
    "adaptive_pool_module": "m = torch.nn.AdaptiveAvgPool2d((2, 2))\ny = m(x.reshape(1, 1, 2, 3))\nz = torch.nn.AdaptiveAvgPool2d(1)(x.reshape(1, 2, 3, 1))\n(y.sum() * 2 + (z * z).sum()).backward()\ndel m",
    "pool_modules": "y = torch.nn.MaxPool2d(2, stride=1)(x.reshape(1, 1, 2, 3))\nz = torch.nn.AvgPool2d(2, stride=1)(x.reshape(1, 1, 2, 3))\n(y + z).sum().backward()",
    "loss_modules": "l1 = torch.nn.SmoothL1Loss(reduction='sum')(x, b)\nl2 = torch.nn.KLDivLoss(reduction='batchmean')(x.log_softmax(1), b.softmax(1))\n(l1 + l2).backward()",
    # legacy constructors
    "variable": "v = torch.autograd.Variable(torch.ones(2), requires_grad=True)\nw = torch.autograd.Variable(x)\nleaf = v.is_leaf\n(v * 2).sum().backward()",
    "float_tensor": "f = torch.FloatTensor([1, 2])\ng = torch.FloatTensor(2, 3).zero_()\nk = torch.LongTensor([1, 2])",
    # integer and boolean indexing
    "index_long": "y = x[torch.tensor([1, 0, 1])]\ny.sum().backward()",
    "index_mask": "y = x[x > 0]\n(y * y).sum().backward()",
    "index_columns": "y = x[:, torch.tensor([0, 2])]\ny.sum().backward()",
    "index_rows_slice": "y = x[torch.tensor([1, 0]), 1:]\ny.sum().backward()",
    "index_list": "y = x[[0, 1, 1]]\ny.sum().backward()",
    "index_zero_dim_long": "y = x[torch.tensor(1)]\ny.sum().backward()",
    "mask_assign": "y = x * 1\ny[y > 0] = 0.0\ny.sum().backward()",
    "mask_assign_after_sigmoid": "y = x.sigmoid()\ny[y > 0.5] = 0.0\ny.sum().backward()",
    "index_assign_tensor": "y = x * 1\ny[torch.tensor([0]), :] = b[1]\ny.sum().backward()",
    "index_saved_written": "i = torch.tensor([1, 0])\ny = x[i]\ni.add_(0)\ny.sum().backward()",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_program_matches_torch(name: str) -> None:
    assert_same(SETUP + PROGRAMS[name], engine, torch)


@pytest.mark.parametrize("backend", ["engine", "torch"])
def test_dropout_mask_statistics(backend: str) -> None:
    """Values differ between backends; shapes, the node and the mask's law do not."""
    t = engine if backend == "engine" else torch
    x = t.ones(2000, requires_grad=True)
    y = t.nn.functional.dropout(x, 0.25)
    assert tuple(y.shape) == (2000,)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    values = {round(v, 5) for v in y.detach().tolist()}
    assert values <= {0.0, round(1 / 0.75, 5)}
    kept = sum(1 for v in y.detach().tolist() if v) / 2000
    assert 0.7 < kept < 0.8
    y.sum().backward()
    assert x.grad is not None
    assert x.grad.tolist() == y.detach().tolist()  # the gradient is the mask itself
