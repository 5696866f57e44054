# source: https://github.com/braindecode/braindecode/blob/002338fad1813a7899b9f237cbf9e09f62a77023/braindecode/models/eegnet.py
# expect: AG001
# pitfall: Conv2dWithConstraint.forward renormalises its weight through self.weight.data, so the max-norm projection is part of the forward but left out of every gradient
import torch
from torch import nn
from torch.nn.functional import elu


class Conv2dWithConstraint(nn.Conv2d):
    def __init__(self, *args, max_norm=1, **kwargs):
        self.max_norm = max_norm
        super(Conv2dWithConstraint, self).__init__(*args, **kwargs)

    def forward(self, x):
        self.weight.data = torch.renorm(
            self.weight.data, p=2, dim=0, maxnorm=self.max_norm
        )
        return super(Conv2dWithConstraint, self).forward(x)


class EEGNetv4Stub(nn.Sequential):
    def __init__(self, n_chans=4, F1=2, D=2):
        super().__init__()
        self.add_module("conv_temporal", nn.Conv2d(1, F1, (1, 5), bias=False, padding=(0, 2)))
        self.add_module("bnorm_temporal", nn.BatchNorm2d(F1, momentum=0.01, affine=True, eps=1e-3))
        self.add_module(
            "conv_spatial",
            Conv2dWithConstraint(F1, F1 * D, (n_chans, 1), max_norm=1, stride=1, bias=False, groups=F1, padding=(0, 0)),
        )
        nn.init.normal_(self.conv_spatial.weight, std=3.0)


model = EEGNetv4Stub()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
X = torch.randn(3, 1, 4, 16)
out = model(X)
loss = elu(out).mean()
optimizer.zero_grad()
loss.backward()
optimizer.step()
