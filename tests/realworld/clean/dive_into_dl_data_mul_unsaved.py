# source: https://github.com/ShusenTang/Dive-into-DL-PyTorch/issues/12
# expect: clean
# pitfall: look-alike: x.data *= 100 after y = 2 * x; the multiplication by a constant saved nothing, so x.grad is still the right 2
import torch

x = torch.ones(1, requires_grad=True)

print(x.data)
print(x.data.requires_grad)

y = 2 * x
x.data *= 100

y.backward()
print(x)
print(x.grad)
