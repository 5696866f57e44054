# source: https://github.com/pytorch/pytorch/issues/2677
# expect: AG006
# pitfall: `y = conv(x)` is an intermediate (non-leaf) result; its `.grad` is never populated by the backward, only `x.grad` is
import torch
import torch.nn as nn
from torch.autograd import Variable

x = Variable(torch.rand(8, 1, 5, 5), requires_grad=True)
conv = nn.Conv2d(1, 1, 3)
y = conv(x)
final = torch.sum(y)
print('y.grad', y.grad)
final.backward()
print('y.grad', y.grad)
print('y.grad', y.requires_grad)
