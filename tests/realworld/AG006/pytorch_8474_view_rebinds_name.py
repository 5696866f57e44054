# source: https://github.com/pytorch/pytorch/issues/8474
# expect: AG006
# pitfall: rebinding `x1` to its own view leaves the name on a non-leaf; `x1.grad` prints None although the leaf got its gradient
import torch

x1 = torch.rand(5).requires_grad_()
x1 = x1.view((-1, 1))
x1.sum().backward()
print(x1.grad)
