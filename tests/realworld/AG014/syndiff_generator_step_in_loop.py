# source: https://github.com/icon-lab/SynDiff/issues/43
# expect: AG014
# pitfall: set_detect_anomaly(True) is called inside the iteration loop of train.py, so every generator step runs with anomaly detection (1.5 h per epoch instead of 36 min)
import torch
import torch.nn as nn
import torch.nn.functional as F

gen = nn.Linear(4, 4)
optimizer_gen_diffusive_1 = torch.optim.Adam(gen.parameters(), lr=1e-4)
data_loader = [(torch.randn(2, 4), torch.randn(2, 4)) for _ in range(2)]
lambda_l1_loss = 0.5

for epoch in range(1):
    for iteration, (x1, x2) in enumerate(data_loader):
        x1_0_predict = gen(x2)
        errG_adv = F.softplus(-x1_0_predict).mean()
        errG_L1 = F.l1_loss(x1_0_predict, x1)

        torch.autograd.set_detect_anomaly(True)

        errG = lambda_l1_loss*errG_L1 + errG_adv
        errG.backward()

        optimizer_gen_diffusive_1.step()
