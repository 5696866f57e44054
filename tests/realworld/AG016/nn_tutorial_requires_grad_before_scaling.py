# source: https://github.com/pytorch/tutorials/issues/3716
# expect: AG016
# pitfall: the variant the issue explains: with requires_grad=True inside torch.randn(), the division by sqrt(784) is recorded and `weights` becomes a non-leaf "which the optimizer cannot update"
import math

import torch

weights = torch.randn(784, 10, requires_grad=True) / math.sqrt(784)
bias = torch.zeros(10, requires_grad=True)
opt = torch.optim.SGD([weights, bias], lr=0.5)
