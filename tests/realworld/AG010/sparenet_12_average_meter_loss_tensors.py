# source: https://github.com/microsoft/SpareNet/issues/12 (runners/sparenet_runner.py and runners/misc.py at 6f8c99f)
# expect: AG010
# pitfall: `sparenetRunner.train_step` passes the loss tensors `coarse_loss * 1000, refine_loss * 1000` to `self.losses.update(...)`, and the AverageMeter adds them into `self._sum` for the whole epoch, so every batch's graph stays alive (GPU memory rises until CUDA runs out of memory after two epochs; the issue asks for items). The point-cloud network and the Chamfer distance are a linear layer and a mean squared distance, the config, writers and data loader are reduced to what `train` reads
import torch
import torch.nn as nn


class AverageMeter(object):
    """Computes and stores the average and current value"""

    def __init__(self, items=None):
        self.items = items
        self.n_items = 1 if items is None else len(items)
        self.reset()

    def reset(self):
        self._val = [0] * self.n_items
        self._sum = [0] * self.n_items
        self._count = [0] * self.n_items

    def update(self, values):
        if type(values).__name__ == "list":
            for idx, v in enumerate(values):
                self._val[idx] = v
                self._sum[idx] += v
                self._count[idx] += 1
        else:
            self._val[0] = values
            self._sum[0] += values
            self._count[0] += 1

    def val(self, idx=None):
        if idx is None:
            return self._val[0] if self.items is None else [self._val[i] for i in range(self.n_items)]
        else:
            return self._val[idx]

    def avg(self, idx=None):
        if idx is None:
            return self._sum[0] / self._count[0] if self.items is None else [self._sum[i] / self._count[i] for i in range(self.n_items)]
        else:
            return self._sum[idx] / self._count[idx]


class PointNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.coarse = nn.Linear(3, 3)
        self.refine = nn.Linear(3, 3)

    def forward(self, data):
        coarse = self.coarse(data["partial_cloud"])
        refine = coarse + self.refine(coarse)
        return coarse, refine


class sparenetRunner(object):
    """Define the SpareNet runner class"""

    def __init__(self, train_loader):
        self.gpu_ids = ["cpu"]
        self.train_loader = train_loader
        self.models = PointNet()
        self.optimizers = torch.optim.Adam(self.models.parameters(), lr=1e-3)
        self.loss = {}
        self.losses = AverageMeter(["CoarseLoss", "RefineLoss"])

    def train_step(self, items):
        _, (_, _, _, data) = items
        for k, v in data.items():
            data[k] = v.float().to(self.gpu_ids[0])

        _loss, refine_loss, coarse_loss = self.completion(data)
        self.models.zero_grad()
        _loss.backward()
        self.optimizers.step()

        self.loss["coarse_loss"] = coarse_loss * 1000
        self.loss["refine_loss"] = refine_loss * 1000
        self.loss["rec_loss"] = _loss
        self.losses.update([coarse_loss * 1000, refine_loss * 1000])

    def completion(self, data):
        coarse_ptcloud, refine_ptcloud = self.models(data)
        coarse_loss = ((coarse_ptcloud - data["gtcloud"]) ** 2).sum(-1).mean()
        refine_loss = ((refine_ptcloud - data["gtcloud"]) ** 2).sum(-1).mean()
        _loss = coarse_loss + refine_loss
        return _loss, refine_loss, coarse_loss

    def train(self):
        for items in enumerate(self.train_loader):
            self.batch_idx, _ = items
            self.train_step(items)
        print("Losses = %s" % ["%.4f" % l for l in self.losses.avg()])


train_loader = [
    ("02691156", None, "model", {"partial_cloud": torch.randn(2, 16, 3), "gtcloud": torch.randn(2, 16, 3)})
    for _ in range(3)
]
runner = sparenetRunner(train_loader)
runner.train()
