# source: https://github.com/osmr/imgclsmob/issues/13
# expect: AG002
# pitfall: an nn.ReLU(inplace=True) at the start of a block overwrites the output of the previous block's ReLU, which that ReLU saved for its backward
import torch
import torch.nn as nn


class ConvBlock(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)
        self.activ = nn.ReLU(inplace=True)

    def forward(self, x):
        x = self.conv(x)
        x = self.bn(x)
        x = self.activ(x)
        return x


class DwsConvBlock(nn.Module):
    """Pre-activation depthwise-separable block (Xception)."""

    def __init__(self, in_channels, out_channels, activate):
        super().__init__()
        self.activate = activate
        if self.activate:
            self.activ = nn.ReLU(inplace=True)
        self.conv = nn.Conv2d(in_channels, out_channels, 1, bias=False)
        self.bn = nn.BatchNorm2d(out_channels)

    def forward(self, x):
        if self.activate:
            x = self.activ(x)
        x = self.conv(x)
        x = self.bn(x)
        return x


class Xception(nn.Module):
    def __init__(self):
        super().__init__()
        self.init_block = ConvBlock(3, 8)
        self.unit = DwsConvBlock(8, 8, activate=True)
        self.output = nn.Linear(8, 10)

    def forward(self, x):
        x = self.init_block(x)
        x = self.unit(x)
        x = x.mean(dim=(2, 3))
        return self.output(x)


model = Xception()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
images = torch.randn(2, 3, 8, 8)
target = torch.tensor([1, 2])

output = model(images)
loss = criterion(output, target)
optimizer.zero_grad()
loss.backward()
optimizer.step()
