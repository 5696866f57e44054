# source: https://github.com/pytorch/pytorch/issues/3890
# expect: AG008
# pitfall: `s = torch.sigmoid(x)` is a non-leaf; setting `s.requires_grad = True` to retain its gradient raises (it already requires grad; `s.retain_grad()` alone was needed)
import torch
import numpy as np
from torch.autograd import Variable

x = Variable(torch.zeros(3,3), requires_grad=True)
s = torch.sigmoid(x)
s.requires_grad = True
s.retain_grad()
total = torch.sum(s)
total.backward()
assert(s.grad is not None)
