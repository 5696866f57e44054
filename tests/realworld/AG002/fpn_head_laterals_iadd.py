# source: https://github.com/lyongo/NWPU-MOC/issues/4
# expect: AG002
# pitfall: the top-down FPN path adds into laterals[i - 1] with += ; the laterals are ReLU outputs kept in a list, saved by ReluBackward0
import torch
import torch.nn as nn
import torch.nn.functional as F


class ConvModule(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 1)
        self.activate = nn.ReLU()

    def forward(self, x):
        return self.activate(self.conv(x))


class FPNHead(nn.Module):
    def __init__(self, in_channels=(4, 8, 16), channels=8):
        super().__init__()
        self.lateral_convs = nn.ModuleList(ConvModule(c, channels) for c in in_channels)
        self.cls = nn.Conv2d(channels, 1, 1)

    def forward(self, inputs):
        laterals = [
            lateral_conv(inputs[i]) for i, lateral_conv in enumerate(self.lateral_convs)
        ]
        used_backbone_levels = len(laterals)
        for i in range(used_backbone_levels - 1, 0, -1):
            prev_shape = laterals[i - 1].shape[2:]
            laterals[i - 1] += F.interpolate(laterals[i], size=prev_shape, mode='nearest')
        return self.cls(laterals[0])


head = FPNHead()
feats = [torch.randn(1, 4, 16, 16), torch.randn(1, 8, 8, 8), torch.randn(1, 16, 4, 4)]
out = head(feats)
loss = out.abs().mean()
loss.backward()
