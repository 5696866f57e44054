# source: https://github.com/SiriusNEO/Triton-Puzzles-Lite/pull/11
# expect: AG005,AG006
# pitfall: the backward spec copies its inputs with x.clone() where x.clone().detach().requires_grad_(True) was meant; for an input that requires grad the copy is a non-leaf, x.grad stays None and the gradient leaks into the caller's tensor
import torch
from torch import Tensor


def mul_relu_block_back_spec(x: Tensor, y: Tensor, dz: Tensor) -> Tensor:
    x = x.clone()
    y = y.clone()
    x = x.requires_grad_(True)
    y = y.requires_grad_(True)
    z = torch.relu(x * y[:, None])
    z.backward(dz)
    dx = x.grad
    return dx


x = torch.randn(9, 10, requires_grad=True)
y = torch.randn(9)
dz = torch.randn(9, 10)
dx = mul_relu_block_back_spec(x, y, dz)
