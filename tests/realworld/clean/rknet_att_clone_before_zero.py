# source: https://github.com/AggMan96/RK-Net/issues/9
# expect: clean
# pitfall: look-alike: the fix from the thread, att = att.clone() before zeroing the border, so the in-place writes hit a copy that nothing saved (the clone must keep the graph)
import torch
import torch.nn as nn


class AttentionBlock(nn.Module):
    def __init__(self, channels, polish=True):
        super().__init__()
        self.polish = polish
        self.conv = nn.Conv2d(channels, 1, 3, padding=1)
        self.relu = nn.ReLU()

    def forward(self, x):
        att = self.relu(self.conv(x))
        if self.polish:
            att = att.clone()
            att[:, :, :, 0] = 0
            att[:, :, :, -1] = 0
            att[:, :, 0, :] = 0
            att[:, :, -1, :] = 0
        return x * att


block = AttentionBlock(4)
x = torch.randn(2, 4, 6, 6)
out = block(x)
loss = out.pow(2).mean()
loss.backward()
