# source: https://github.com/pytorch/pytorch/issues/1479
# expect: AG006
# pitfall: `.view(3, 1)` applied after `requires_grad=True` makes `b` a non-leaf view of the leaf, so `b.grad` stays None after the backward
import torch
from torch.autograd import Variable

a = Variable(torch.Tensor([1, 2, 3])).view(1, 3)
b = Variable(torch.Tensor([4, 5, 6]), requires_grad=True).view(3, 1) # view applied to variable makes b.grad None
c = a.mm(b).sum()
c.backward()
print(a.requires_grad)
print(b.requires_grad)
print(b.grad)
