# source: https://discuss.pytorch.org/t/when-inplace-operation-are-allowed-and-when-not/169583/3
# expect: clean
# pitfall: look-alike: exp() saves its output, not its input, so overwriting u[0] before the backward is accepted
import torch

t = torch.arange(3.0, requires_grad=True)
u = 2 * t
uexp = u.exp()
loss = uexp.sum()
u[0] = 666
loss.backward(retain_graph=True)
print(t.grad)
