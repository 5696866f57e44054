# source: https://github.com/MultimediaTechLab/YOLO/blob/dea5a8ada1b6d55c8542a40d284f41707134d445/yolo/tools/solver.py
# expect: clean
# pitfall: none: after PR #83 `train_one_epoch` keeps `total_loss = defaultdict(float)` and adds `loss_val.item() * batch_size`, plain floats, so no batch's graph outlives its step, while `train_one_batch` still returns the graph-carrying loss dict. Reduced as the AG010 snippet from the same file (linear YOLO, three reductions as losses, no AMP/DDP/progress logger); the loop that divides by the sample count is kept as the fix left it (on floats it rebinds a name and changes nothing)
from collections import defaultdict

import torch
import torch.nn as nn
from torch import Tensor


class DualLoss:
    def __init__(self) -> None:
        self.aux_rate = 0.25
        self.iou_rate = 7.5
        self.dfl_rate = 1.5
        self.cls_rate = 0.5

    def loss(self, predicts, targets):
        return (predicts - targets).abs().mean(), (predicts - targets).pow(2).mean(), predicts.sigmoid().mean()

    def __call__(self, aux_predicts, main_predicts, targets):
        aux_iou, aux_dfl, aux_cls = self.loss(aux_predicts, targets)
        main_iou, main_dfl, main_cls = self.loss(main_predicts, targets)

        loss_dict = {
            "BoxLoss": self.iou_rate * (aux_iou * self.aux_rate + main_iou),
            "DFLoss": self.dfl_rate * (aux_dfl * self.aux_rate + main_dfl),
            "BCELoss": self.cls_rate * (aux_cls * self.aux_rate + main_cls),
        }
        loss_sum = sum(list(loss_dict.values())) / len(loss_dict)
        return loss_sum, loss_dict


class YOLO(nn.Module):
    def __init__(self):
        super().__init__()
        self.aux = nn.Linear(4, 4)
        self.main = nn.Linear(4, 4)

    def forward(self, images):
        return {"AUX": self.aux(images), "Main": self.main(images)}


class ModelTrainer:
    def __init__(self, model, device):
        self.model = model
        self.device = device
        self.optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        self.loss_fn = DualLoss()

    def train_one_batch(self, images: Tensor, targets: Tensor):
        images, targets = images.to(self.device), targets.to(self.device)
        self.optimizer.zero_grad()

        predicts = self.model(images)
        aux_predicts = predicts["AUX"]
        main_predicts = predicts["Main"]
        loss, loss_item = self.loss_fn(aux_predicts, main_predicts, targets)

        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), max_norm=10.0)
        self.optimizer.step()

        return loss_item

    def train_one_epoch(self, dataloader):
        self.model.train()
        total_loss = defaultdict(float)
        total_samples = 0
        for batch_size, images, targets, *_ in dataloader:
            loss_each = self.train_one_batch(images, targets)

            for loss_name, loss_val in loss_each.items():
                total_loss[loss_name] += loss_val.item() * batch_size
            total_samples += batch_size

        for loss_val in total_loss.values():
            loss_val /= total_samples

        return total_loss


trainer = ModelTrainer(YOLO(), torch.device("cpu"))
dataloader = [(2, torch.randn(2, 4), torch.randn(2, 4)) for _ in range(3)]
epoch_loss = trainer.train_one_epoch(dataloader)
