# source: https://github.com/dillondavis/RecurrentAttentionConvolutionalNeuralNetwork/issues/4
# expect: AG009
# pitfall: RankLoss.forward returns `torch.max(zero,  ps1 - ps2 + self.margin)` of `F.softmax(scores1)[target]`, one row of probabilities per sample: with a batch of more than one image `self.criterion_rank(scores1, scores2, label).backward()` has no implicit gradient ("grad can be implicitly created only for scalar outputs", reported for batch_size=32). manager.py at commit bb012eb; the three-scale RA-CNN is replaced by three linear heads, the CUB loader by random tensors, RankLoss gets the margin the constructor call leaves out
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable


class RankLoss(nn.Module):
    def __init__(self, margin):
        super(RankLoss, self).__init__()
        self.margin = margin

    def forward(self, scores1, scores2, target):
        zero = torch.autograd.Variable(torch.Tensor([0]))
        ps1 = F.softmax(scores1)[target]
        ps2 = F.softmax(scores2)[target]
        return torch.max(zero,  ps1 - ps2 + self.margin)


class ThreeScales(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = nn.ModuleList(nn.Linear(12, 5) for _ in range(3))

    def forward(self, x):
        flat = x.view(x.size(0), -1)
        return tuple(head(flat) for head in self.heads)


class Manager(object):
    """Handles training and pruning."""

    def __init__(self, args, model):
        self.args = args

        self.cuda = args.cuda
        self.model = model
        self.criterion_class = nn.CrossEntropyLoss()
        self.criterion_rank = RankLoss(0.05)

    def do_batch(self, optimizer, batch, label):
        """
        Runs model for one batch
        :param optimizer: Optimizer for training
        :param batch: (num_batch, 3, h, w) Torch tensor of data
        :param label: (num_batch) Torch tensor of classes
        """
        if self.cuda:
            batch = batch.cuda()
            label = label.cuda()
        batch = Variable(batch)
        label = Variable(label)

        # Set grads to 0.
        self.model.zero_grad()

        # Do forward-backward.
        scores1, scores2, scores3 = self.model(batch)
        self.criterion_class(scores1, label).backward()
        self.criterion_class(scores2, label).backward()
        self.criterion_class(scores3, label).backward()
        self.criterion_rank(scores1, scores2, label).backward()
        self.criterion_rank(scores2, scores3, label).backward()

        # Update params.
        optimizer.step()


class Args:
    cuda = False


model = ThreeScales()
manager = Manager(Args(), model)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
batch, label = torch.randn(32, 3, 2, 2), torch.randint(0, 5, (32,))
manager.do_batch(optimizer, batch, label)
