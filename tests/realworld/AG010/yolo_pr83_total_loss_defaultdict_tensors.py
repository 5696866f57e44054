# source: https://github.com/MultimediaTechLab/YOLO/pull/83 (yolo/tools/solver.py and yolo/tools/loss_functions.py at dea5a8a^)
# expect: AG010
# pitfall: `ModelTrainer.train_one_epoch` keeps `total_loss = defaultdict(lambda: torch.tensor(0.0, device=self.device))` and adds `loss_val * batch_size` for each entry of the loss dict that `train_one_batch` returns; those entries are the graph-carrying terms of the backpropagated loss, so every batch's graph stays referenced until the epoch ends (the leak the PR fixes with `loss_val.item()`). The YOLO model, Vec2Box and the box/DFL/BCE losses are a linear layer and three reductions of it, AMP (autocast, GradScaler), DDP, the custom optimizer's epoch hooks and the progress logger are left out, the data loader is a list of random batches
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
        total_loss = defaultdict(lambda: torch.tensor(0.0, device=self.device))
        total_samples = 0
        for batch_size, images, targets, *_ in dataloader:
            loss_each = self.train_one_batch(images, targets)

            for loss_name, loss_val in loss_each.items():
                total_loss[loss_name] += loss_val * batch_size
            total_samples += batch_size

        for loss_val in total_loss.values():
            loss_val /= total_samples

        return total_loss


trainer = ModelTrainer(YOLO(), torch.device("cpu"))
dataloader = [(2, torch.randn(2, 4), torch.randn(2, 4)) for _ in range(3)]
epoch_loss = trainer.train_one_epoch(dataloader)
