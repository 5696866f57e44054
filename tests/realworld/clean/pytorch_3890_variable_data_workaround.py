# source: https://github.com/pytorch/pytorch/issues/3890
# expect: clean
# pitfall: none: the suggested workaround makes a new leaf from `s.data` with requires_grad=True and uses it as an input, so its gradient is filled
import torch
from torch.autograd import Variable

x = Variable(torch.zeros(3,3), requires_grad=True)
s = torch.sigmoid(x)
s = Variable(s.data, requires_grad=True)
s.retain_grad()
total = torch.sum(s)
total.backward()
assert(s.grad is not None)
