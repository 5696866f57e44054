# source: https://github.com/pytorch/tutorials/pull/3717
# expect: clean
# pitfall: look-alike for AG016: the nn_tutorial scales the random weights first and only then calls requires_grad_(), so weights stays a leaf the optimizer accepts
import math

import torch

weights = torch.randn(784, 10) / math.sqrt(784)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)
opt = torch.optim.SGD([weights, bias], lr=0.5)
