# source: https://github.com/QinghuiXiao/Flexo/blob/b0355ccd53d8264110c7071f3c9fcac9347cb196/test/flexoelectricity.py
# expect: AG014
# pitfall: the training script enables anomaly detection at module level, before any training is set up
import numpy as np
import torch.optim as optim
import torch
import time
torch.autograd.set_detect_anomaly(True)
torch.manual_seed(128)

net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
optimizer = optim.LBFGS(net.parameters(), lr=0.1, max_iter=2)
points = torch.rand(16, 2)


def closure():
    optimizer.zero_grad()
    loss = net(points).pow(2).mean()
    loss.backward()
    return loss


for epoch in range(2):
    optimizer.step(closure)
