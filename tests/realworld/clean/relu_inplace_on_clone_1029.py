# source: https://github.com/pytorch/pytorch/issues/1029
# expect: clean
# pitfall: look-alike: F.relu(..., inplace=True) on a clone whose only consumer is sum(); nothing saved the overwritten value, and the clone is meant to stay in the graph
import torch
from torch.nn import functional as F

inp = torch.randn(5, 5)

var = inp.clone().requires_grad_(True)
var2 = var.clone()

F.relu(var2, inplace=True)

loss = var2.sum()
loss.backward()

print(var.grad)

var_copy = inp.clone().requires_grad_(True)

F.relu(var_copy, inplace=False)

loss2 = var_copy.sum()
loss2.backward()

print(var_copy.grad)
