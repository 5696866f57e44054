# source: https://github.com/pytorch/pytorch/pull/163263
# expect: AG008
# pitfall: `b = torch.pow(a, 2)` is a non-leaf: `b.requires_grad=False` raises; `.detach()` gives the copy without history
import torch

a = torch.randn(3, 3, device="cpu", requires_grad=True)
b = torch.pow(a, 2)

b.requires_grad=False
