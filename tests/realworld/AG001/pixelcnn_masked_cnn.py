# source: https://github.com/singh-hrituraj/PixelCNN-Pytorch/blob/HEAD/MaskedCNN.py
# expect: AG001
# pitfall: MaskedCNN.forward masks its weight through self.weight.data *= self.mask; the mask is outside the graph, so masked weights still get gradients and the optimizer moves them
import torch
from torch import nn


class MaskedCNN(nn.Conv2d):
    """
    Implementation of Masked CNN Class as explained in A Oord et. al.
    Taken from https://github.com/jzbontar/pixelcnn-pytorch
    """

    def __init__(self, mask_type, *args, **kwargs):
        self.mask_type = mask_type
        assert mask_type in ['A', 'B'], "Unknown Mask Type"
        super(MaskedCNN, self).__init__(*args, **kwargs)
        self.register_buffer('mask', self.weight.data.clone())

        _, depth, height, width = self.weight.size()
        self.mask.fill_(1)
        if mask_type == 'A':
            self.mask[:, :, height // 2, width // 2:] = 0
            self.mask[:, :, height // 2 + 1:, :] = 0
        else:
            self.mask[:, :, height // 2, width // 2 + 1:] = 0
            self.mask[:, :, height // 2 + 1:, :] = 0

    def forward(self, x):
        self.weight.data *= self.mask
        return super(MaskedCNN, self).forward(x)


class PixelCNN(nn.Module):
    def __init__(self, no_layers=2, kernel=5, channels=8):
        super(PixelCNN, self).__init__()
        self.Conv2d_1 = MaskedCNN('A', 1, channels, kernel, 1, kernel // 2, bias=False)
        self.ReLU1 = nn.ReLU(True)
        self.out = nn.Conv2d(channels, 256, 1)

    def forward(self, x):
        x = self.Conv2d_1(x)
        x = self.ReLU1(x)
        return self.out(x)


net = PixelCNN()
optimizer = torch.optim.Adam(net.parameters())
criterion = nn.CrossEntropyLoss()
images = torch.rand(2, 1, 8, 8)
target = (images[:, 0, :, :] * 255).long()
optimizer.zero_grad()
loss = criterion(net(images), target)
loss.backward()
