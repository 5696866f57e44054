# source: https://github.com/RangiLyu/nanodet/issues/7
# expect: AG003
# pitfall: when a batch has no positive samples GFLHead.loss returns loss_qfl + loss_bbox + loss_dfl built from torch.tensor(0, ...) constants, and the trainer's loss.backward() raises
# GFLHead.loss's tail as nanodet/model/head/gfl_head.py had it before the fix (the three
# torch.tensor(0, ...) lines, `.cuda()` dropped); target assignment, multi_apply and
# reduce_mean are stubbed so that the batch has no positive sample; Trainer.run_step is the
# trainer's.
import torch
import torch.nn as nn


def reduce_mean(tensor):
    return tensor


class GFLHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.cls = nn.Linear(4, 3)

    def forward(self, x):
        return self.cls(x)

    def loss_single(self, cls_score, labels):
        pos_inds = torch.nonzero(labels >= 0).squeeze(1)
        if len(pos_inds) > 0:
            loss_qfl = cls_score[pos_inds].sigmoid().sum()
            return loss_qfl, loss_qfl * 0, loss_qfl * 0, torch.tensor(float(len(pos_inds)))
        return cls_score.sum() * 0, cls_score.sum() * 0, cls_score.sum() * 0, torch.tensor(0.0)

    def loss(self, preds, gt_meta):
        labels = gt_meta["gt_labels"]
        losses_qfl, losses_bbox, losses_dfl, avg_factor = zip(self.loss_single(preds, labels))

        avg_factor = sum(avg_factor)
        avg_factor = reduce_mean(avg_factor).item()
        if avg_factor <= 0:
            loss_qfl = torch.tensor(0, dtype=torch.float32)
            loss_bbox = torch.tensor(0, dtype=torch.float32)
            loss_dfl = torch.tensor(0, dtype=torch.float32)
        else:
            losses_bbox = list(map(lambda x: x / avg_factor, losses_bbox))
            losses_dfl = list(map(lambda x: x / avg_factor, losses_dfl))

            loss_qfl = sum(losses_qfl)
            loss_bbox = sum(losses_bbox)
            loss_dfl = sum(losses_dfl)

        loss = loss_qfl + loss_bbox + loss_dfl
        loss_states = dict(
            loss_qfl=loss_qfl,
            loss_bbox=loss_bbox,
            loss_dfl=loss_dfl)

        return loss, loss_states


class Trainer:
    def __init__(self, model):
        self.model = model
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    def run_step(self, model, meta):
        preds = model(meta["img"])
        loss, loss_stats = model.loss(preds, meta)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        return preds, loss, loss_stats


head = GFLHead()
trainer = Trainer(head)
# warm-up batch without any positive sample (every label is the background, -1)
batch = {"img": torch.randn(5, 4), "gt_labels": torch.full((5,), -1)}
output, loss, loss_stats = trainer.run_step(head, batch)
