# source: https://github.com/wenet-e2e/wekws/blob/main/wekws/utils/executor.py
# expect: clean
# pitfall: look-alike for AG010: cross validation accumulates loss.item() under torch.no_grad()
import torch
import torch.nn as nn
import torch.nn.functional as F


def criterion(loss_type, logits, target, lengths, min_duration=0):
    loss = F.binary_cross_entropy_with_logits(logits.mean(1).squeeze(-1), target.float())
    return loss, 0.0


def cv(model, data_loader, device, args):
    ''' Cross validation on
    '''
    model.eval()
    log_interval = args.get('log_interval', 10)
    epoch = args.get('epoch', 0)
    # in order to avoid division by 0
    num_seen_utts = 1
    total_loss = 0.0
    total_acc = 0.0
    with torch.no_grad():
        for batch_idx, batch in enumerate(data_loader):
            key, feats, target, feats_lengths = batch
            feats = feats.to(device)
            target = target.to(device)
            feats_lengths = feats_lengths.to(device)
            num_utts = feats_lengths.size(0)
            if num_utts == 0:
                continue
            logits = model(feats)
            loss, acc = criterion(args.get('criterion', 'max_pooling'),
                                  logits, target, feats_lengths)
            if torch.isfinite(loss):
                num_seen_utts += num_utts
                total_loss += loss.item() * num_utts
                total_acc += acc * num_utts
    return total_loss / num_seen_utts, total_acc / num_seen_utts


model = nn.Linear(8, 1)
loader = [("k", torch.randn(2, 5, 8), torch.tensor([0, 1]), torch.tensor([5, 5])) for _ in range(3)]
cv(model, loader, "cpu", {})
