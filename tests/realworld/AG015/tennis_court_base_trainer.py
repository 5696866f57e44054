# source: https://github.com/yastrebksv/TennisCourtDetector/issues/7
# expect: AG015
# pitfall: base_trainer.train calls loss.backward() and optimizer.step() every iteration with no optimizer.zero_grad() ("There must be smt wrong" - fixed by the author)
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def train(model, train_loader, optimizer, criterion, device, epoch, max_iters=1000):
    model.train()
    losses = []
    max_iters = min(max_iters, len(train_loader))

    for iter_id, batch in enumerate(train_loader):
        out = model(batch[0].float().to(device))
        gt_hm_hp = batch[1].float().to(device)
        loss = criterion(F.sigmoid(out), gt_hm_hp)

        loss.backward()
        optimizer.step()
        print('train, epoch = {}, iter_id = {}/{}, loss = {}'.format(epoch, iter_id, max_iters, loss.item()))
        losses.append(loss.item())
        if iter_id > max_iters:
            break

    return np.mean(losses)


model = nn.Conv2d(3, 15, 3, padding=1)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-5)
criterion = nn.MSELoss()
loader = [(torch.randn(1, 3, 8, 8), torch.rand(1, 15, 8, 8)) for _ in range(3)]
train(model, loader, optimizer, criterion, "cpu", 0)
