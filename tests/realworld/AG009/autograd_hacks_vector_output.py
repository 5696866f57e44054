# source: https://github.com/cybertronai/autograd-hacks/issues/8
# expect: AG009
# pitfall: the model outputs a vector per example and backward() is called on that output directly
import torch
import torch.nn as nn

model = nn.Sequential(nn.Linear(6, 12), nn.ReLU(), nn.Linear(12, 3))
data = torch.randn(5, 6)

output = model(data)
output.backward()
