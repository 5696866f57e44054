# source: https://discuss.pytorch.org/t/when-inplace-operation-are-allowed-and-when-not/169583/3
# expect: AG002
# pitfall: exp() saves its output for the backward; assigning into that output before backward invalidates it
import torch

t = torch.arange(3.0, requires_grad=True)
u = 2 * t
uexp = u.exp()
loss = uexp.sum()
uexp[0] = 666
loss.backward()
