# source: https://github.com/yenchenlin/nerf-pytorch/issues/42
# expect: AG014
# pitfall: line 2 of run_nerf_helpers.py switches anomaly detection on at import, slowing every training step by about half
import torch
torch.autograd.set_detect_anomaly(True)
import torch.nn as nn
import torch.nn.functional as F
import numpy as np


# Misc
img2mse = lambda x, y : torch.mean((x - y) ** 2)
mse2psnr = lambda x : -10. * torch.log(x) / torch.log(torch.Tensor([10.]))

model = nn.Linear(3, 3)
optimizer = torch.optim.Adam(model.parameters(), lr=5e-4)
for i in range(2):
    rgb = model(torch.rand(4, 3))
    loss = img2mse(rgb, torch.rand(4, 3))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
