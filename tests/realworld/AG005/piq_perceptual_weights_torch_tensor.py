# source: https://github.com/photosynthesis-team/piq/issues/255
# expect: AG005
# pitfall: the perceptual loss copy-constructs its layer weights with torch.tensor(w) from tensors; torch warns to use detach().clone()
import torch
import torch.nn as nn


class ContentLoss(nn.Module):
    def __init__(self, layers=("relu3_3",), weights=[1.], reduction="mean"):
        super().__init__()
        self.layers = layers
        self.weights = [torch.tensor(w) for w in weights]
        self.reduction = reduction
        self.model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU())

    def forward(self, x, y):
        loss = 0
        for w in self.weights:
            loss = loss + w * (self.model(x) - self.model(y)).pow(2).mean()
        return loss


loss_fn = ContentLoss(weights=[torch.tensor(0.5)])
prediction = torch.rand(1, 3, 8, 8, requires_grad=True)
target = torch.rand(1, 3, 8, 8)
loss = loss_fn(prediction, target)
loss.backward()
