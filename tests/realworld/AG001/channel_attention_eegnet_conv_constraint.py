# source: https://github.com/martinwimpff/channel-attention/blob/00e6a2e2ffeff630f950d370971880e5689cc0cb/channel_attention/models/modules.py
# expect: AG001
# pitfall: Conv2dWithConstraint.forward renormalizes its weight with `self.weight.data = torch.renorm(...)` whenever max_norm is set; EEGNetModule builds its spatial conv with max_norm=1, so every forward rewrites the parameter behind autograd's back (models/eegnet.py). einops' Rearrange and the repository's glorot init are replaced by small stand-ins, the Lightning ClassificationModule by a plain training step
import torch
from torch import nn
from torch.nn import functional as F


class Rearrange(nn.Module):
    """Stand-in for einops.layers.torch.Rearrange with the two patterns used here."""

    def __init__(self, pattern):
        super().__init__()
        self.pattern = pattern

    def forward(self, x):
        if self.pattern == "b c t -> b 1 c t":
            return x.unsqueeze(1)
        return x.flatten(1)


def glorot_weight_zero_bias(model):
    for module in model.modules():
        if hasattr(module, "weight") and module.weight is not None and module.weight.dim() > 1:
            nn.init.xavier_uniform_(module.weight, gain=1)
        if hasattr(module, "bias") and module.bias is not None:
            nn.init.constant_(module.bias, 0)


class Conv2dWithConstraint(nn.Conv2d):
    def __init__(self, *args, max_norm=None, **kwargs):
        self.max_norm = max_norm
        super(Conv2dWithConstraint, self).__init__(*args, **kwargs)

    def forward(self, x):
        if self.max_norm is not None:
            self.weight.data = torch.renorm(
                self.weight.data, p=2, dim=0, maxnorm=self.max_norm
            )
        return super(Conv2dWithConstraint, self).forward(x)


class EEGNetModule(nn.Module):
    def __init__(
            self,
            in_channels: int,
            n_classes: int,
            input_window_samples: int,
            pool_mode: str = "mean",
            F1: int = 8,
            D: int = 2,
            F2: int = 16,
            kernel_length: int = 32,
            drop_prob: float = 0.5,
            pool_time_length: int = 4,
            pool_time_stride: int = 4,
            kernel_length_dw_sep: int = 16
    ):
        super(EEGNetModule, self).__init__()
        pool_class = dict(max=nn.MaxPool2d, mean=nn.AvgPool2d)[pool_mode]


        self.rearrange_input = Rearrange("b c t -> b 1 c t")
        self.conv_temporal = nn.Conv2d(1, F1, (1, kernel_length), bias=False,
                                       padding=(0, kernel_length // 2))
        self.bnorm_temporal = nn.BatchNorm2d(F1, momentum=0.01, eps=1e-3)
        self.conv_spatial = Conv2dWithConstraint(F1, F1 * D, (in_channels, 1),
                                                 bias=False, groups=F1, max_norm=1)
        self.bnorm_1 = nn.BatchNorm2d(F1 * D, momentum=0.01, eps=1e-3)
        self.elu_1 = nn.ELU()
        self.pool_1 = pool_class((1, pool_time_length), stride=(1, pool_time_stride))
        self.drop1 = nn.Dropout(drop_prob)

        self.dw_sep_conv = nn.Sequential(
            nn.Conv2d(F2, F2, (1, kernel_length_dw_sep), bias=False, groups=F2,
                      padding=(0, kernel_length_dw_sep // 2)),
            nn.Conv2d(F2, F2, (1, 1), bias=False),
            nn.BatchNorm2d(F2, momentum=0.01, eps=1e-3),
            nn.ELU(),
            pool_class((1, 8)),
            nn.Dropout(drop_prob),
        )

        out = input_window_samples + 2 * (kernel_length // 2) - kernel_length + 1
        out = int((out - pool_time_length) / pool_time_stride + 1)
        out = out + 2 * (kernel_length_dw_sep // 2) - kernel_length_dw_sep + 1
        out = int((out - 8) / 8 + 1)

        self.classifier = nn.Sequential(
            nn.Conv2d(F2, n_classes, (1, out)),
            Rearrange("b n_classes 1 1 -> b n_classes"))

        glorot_weight_zero_bias(self)

    def forward(self, x):
        x = self.rearrange_input(x)
        x = self.conv_temporal(x)
        x = self.bnorm_temporal(x)
        x = self.conv_spatial(x)
        x = self.bnorm_1(x)
        x = self.elu_1(x)
        x = self.pool_1(x)
        x = self.drop1(x)
        x = self.dw_sep_conv(x)
        x = self.classifier(x)
        return x


model = EEGNetModule(in_channels=4, n_classes=2, input_window_samples=128)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
x = torch.randn(3, 4, 128)
y = torch.tensor([0, 1, 1])
optimizer.zero_grad()
loss = F.cross_entropy(model(x), y)
loss.backward()
optimizer.step()
