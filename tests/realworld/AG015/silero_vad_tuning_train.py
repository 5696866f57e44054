# source: https://github.com/snakers4/silero-vad/pull/699
# expect: AG015
# pitfall: tuning/utils.py train() stepped the optimizer every batch without optimizer.zero_grad() before loss.backward() (the PR adds it)
import torch
import torch.nn as nn


class AverageMeter(object):
    """Computes and stores the average and current value"""

    def __init__(self):
        self.reset()

    def reset(self):
        self.val = 0
        self.avg = 0
        self.sum = 0
        self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count


def train(loader, decoder, criterion, optimizer, device):
    losses = AverageMeter()
    decoder.train()

    with torch.enable_grad():
        for _, (x, targets, masks) in enumerate(loader):
            targets = targets.to(device)
            x = x.to(device)
            masks = masks.to(device)

            stacked = decoder(x).squeeze(-1)

            loss = criterion(stacked, targets)
            loss = (loss * masks).mean()
            loss.backward()
            optimizer.step()
            losses.update(loss.item(), masks.numel())

    return losses.avg


decoder = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
criterion = nn.BCELoss(reduction='none')
optimizer = torch.optim.Adam(decoder.parameters(), lr=1e-3)
loader = [(torch.randn(2, 4), torch.rand(2), torch.ones(2)) for _ in range(3)]
train(loader, decoder, criterion, optimizer, "cpu")
