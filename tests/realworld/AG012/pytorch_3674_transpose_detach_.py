# source: https://github.com/pytorch/pytorch/issues/3674
# expect: AG012
# pitfall: x is the transpose of a tensor, a view: x.detach_() raises
import torch
from torch.autograd import Variable

x = Variable(torch.randn(3,1,2)).transpose(1, 0)
x.detach_()
