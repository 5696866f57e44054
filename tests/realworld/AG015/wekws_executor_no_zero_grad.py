# source: https://github.com/wenet-e2e/wekws/pull/73
# expect: AG015
# pitfall: Executor.train calls loss.backward() and optimizer.step() for every batch without optimizer.zero_grad() (the PR adds it above loss.backward())
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils import clip_grad_norm_


def criterion(loss_type, logits, target, lengths, min_duration=0):
    loss = F.binary_cross_entropy_with_logits(logits.mean(1).squeeze(-1), target.float())
    return loss, 0.0


class Executor:
    def __init__(self):
        self.step = 0

    def train(self, model, optimizer, data_loader, device, writer, args):
        ''' Train one epoch
        '''
        model.train()
        clip = args.get('grad_clip', 50.0)
        log_interval = args.get('log_interval', 10)
        epoch = args.get('epoch', 0)
        min_duration = args.get('min_duration', 0)

        num_total_batch = 0
        total_loss = 0.0
        for batch_idx, batch in enumerate(data_loader):
            key, feats, target, feats_lengths = batch
            feats = feats.to(device)
            target = target.to(device)
            feats_lengths = feats_lengths.to(device)
            num_utts = feats_lengths.size(0)
            if num_utts == 0:
                continue
            logits = model(feats)
            loss_type = args.get('criterion', 'max_pooling')
            loss, acc = criterion(loss_type, logits, target, feats_lengths,
                                  min_duration)
            loss.backward()
            grad_norm = clip_grad_norm_(model.parameters(), clip)
            optimizer.step()


model = nn.Linear(8, 1)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loader = [("k", torch.randn(2, 5, 8), torch.tensor([0, 1]), torch.tensor([5, 5])) for _ in range(3)]
Executor().train(model, optimizer, loader, "cpu", None, {})
