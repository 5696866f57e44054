# source: https://github.com/pytorch/pytorch/issues/5687
# expect: AG002
# pitfall: an in-place addition after an in-place ReLU modifies the ReLU result that its backward saved
import torch
import torch.nn as nn

relu = nn.ReLU(inplace=True)
x = torch.randn(5, requires_grad=True)
y = x * 2
z = relu(y)
z += 1
z.sum().backward()
