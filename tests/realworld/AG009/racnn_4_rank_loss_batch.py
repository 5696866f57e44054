# source: https://github.com/dillondavis/RecurrentAttentionConvolutionalNeuralNetwork/issues/4 (src/manager.py at 0fbc06d)
# expect: AG009
# pitfall: `RankLoss.forward` returns `torch.clamp(ps1 - ps2 + self.margin, min=0)` where `ps1 = F.softmax(scores1)[:, target.long().data]` keeps a (batch, batch) block, so with batch_size=32 (not 1) `self.criterion_rank(scores[i-1], scores[i], label).backward(retain_graph=retain_graph)` has no implicit gradient ("grad can be implicitly created only for scalar outputs"). The three-scale RA-CNN is three linear heads, the CUB loader a list of random batches, tqdm and the CUDA moves are left out; the `else:` branch's stray tab is re-indented
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable


class RankLoss(nn.Module):
    def __init__(self, margin):
        super(RankLoss, self).__init__()
        self.margin = margin

    def forward(self, scores1, scores2, target):
        ps1 = F.softmax(scores1)[:, target.long().data]
        ps2 = F.softmax(scores2)[:, target.long().data]
        return torch.clamp(ps1 - ps2 + self.margin, min=0)


class RACNN(nn.Module):
    def __init__(self, num_classes=5, scale=3):
        super().__init__()
        self.heads = nn.ModuleList(nn.Linear(12, num_classes) for _ in range(scale))

    def forward(self, x):
        x = x.flatten(1)
        return [head(x) for head in self.heads]


class Manager(object):
    """Handles training and pruning."""

    def __init__(self, model, train_data_loader):
        self.cuda = False
        self.model = model
        self.train_data_loader = train_data_loader
        self.criterion_class = nn.CrossEntropyLoss()
        self.criterion_rank = RankLoss(0.05)

    def do_batch(self, optimizer, batch, label, optimize_class=True):
        if self.cuda:
            batch = batch.cuda()
            label = label.cuda()
        batch = Variable(batch)
        label = Variable(label)

        # Set grads to 0.
        self.model.zero_grad()

        # Do forward-backward.
        scores = self.model(batch)
        if optimize_class:
            for i in range(len(scores)-1, -1, -1):
                if optimize_class:
                    retain_graph = i > 0
                    self.criterion_class(scores[i], label).backward(retain_graph=retain_graph)
        else:
            for i in range(len(scores)-1, 0, -1):
                retain_graph = (i-1) > 0
                self.criterion_rank(scores[i-1], scores[i], label).backward(retain_graph=retain_graph)

        # Update params.
        optimizer.step()

    def do_epoch(self, epoch_idx, optimizer, optimize_class=True):
        for batch, label in self.train_data_loader:
            self.do_batch(optimizer, batch, label, optimize_class=optimize_class)


model = RACNN()
batch_size = 32
loader = [(torch.randn(batch_size, 3, 2, 2), torch.randint(0, 5, (batch_size,))) for _ in range(2)]
manager = Manager(model, loader)
apn_optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
manager.do_epoch(1, apn_optimizer, optimize_class=True)
manager.do_epoch(1, apn_optimizer, optimize_class=False)
