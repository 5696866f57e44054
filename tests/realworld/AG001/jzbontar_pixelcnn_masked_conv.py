# source: https://github.com/jzbontar/pixelcnn-pytorch/blob/2bf97108c6ffa294c8c9d15d70dd0f3d4a293936/main.py
# expect: AG001
# pitfall: MaskedConv2d.forward applies the autoregressive mask with `self.weight.data *= self.mask` before calling Conv2d.forward: the masking is invisible to autograd, so the masked taps still get gradient and momentum SGD moves them every step. The MNIST loader is replaced by random images, CUDA by the CPU, the net by two of its layers; `loss.data[0]` (torch 0.3) by `loss.item()`
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn, optim
from torch.autograd import Variable


class MaskedConv2d(nn.Conv2d):
    def __init__(self, mask_type, *args, **kwargs):
        super(MaskedConv2d, self).__init__(*args, **kwargs)
        assert mask_type in {'A', 'B'}
        self.register_buffer('mask', self.weight.data.clone())
        _, _, kH, kW = self.weight.size()
        self.mask.fill_(1)
        self.mask[:, :, kH // 2, kW // 2 + (mask_type == 'B'):] = 0
        self.mask[:, :, kH // 2 + 1:] = 0

    def forward(self, x):
        self.weight.data *= self.mask
        return super(MaskedConv2d, self).forward(x)

fm = 8
net = nn.Sequential(
    MaskedConv2d('A', 1,   fm, 7, 1, 3), nn.ReLU(True),
    MaskedConv2d('B', fm, 256, 7, 1, 3))

tr = [(torch.rand(4, 1, 12, 12), None)]
optimizer = optim.SGD(net.parameters(), lr=0.01, momentum=0.9, nesterov=True)
for epoch in range(1):
    # train
    err = []
    for input, _ in tr:
        input = Variable(input)
        target = Variable((input.data[:,0] * 255).long())
        loss = F.cross_entropy(net(input), target)
        err.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    print(epoch, np.mean(err))
