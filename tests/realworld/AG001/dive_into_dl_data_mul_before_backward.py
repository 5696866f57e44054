# source: https://github.com/ShusenTang/Dive-into-DL-PyTorch/issues/12
# expect: AG001
# pitfall: x.data *= 100 between y = 2 * x * x and y.backward(); the multiplication saved x, so x.grad is 202 instead of 4
import torch

x = torch.ones(1, requires_grad=True)

print(x.data)
print(x.data.requires_grad)

y = 2 * x * x
x.data *= 100

y.backward()
print(x)
print(x.grad)
