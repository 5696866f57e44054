# source: https://github.com/argusswift/YOLOv4-pytorch/issues/247 (model/backbones/CSPDarknet53.py at c214afa)
# expect: AG002
# pitfall: with `activate='relu'` (the change to Convolutional's default), CSPBlock's block ends in ReLU(inplace=True), whose backward needs its output; `out += residual` then modifies that output in place and loss.backward() raises (fixed by `out = out + residual`)
# Convolutional and CSPBlock are the file's; `cfg.ATTENTION["TYPE"]` is "NONE" (the config's
# default), the attention modules are left out; one stage and a stand-in loss replace YOLOv4.
import torch
import torch.nn as nn
import torch.nn.functional as F


class Mish(nn.Module):
    def __init__(self):
        super(Mish, self).__init__()

    def forward(self, x):
        return x * torch.tanh(F.softplus(x))


norm_name = {"bn": nn.BatchNorm2d}
activate_name = {
    "relu": nn.ReLU,
    "leaky": nn.LeakyReLU,
    "linear": nn.Identity(),
    "mish": Mish(),
}


class Convolutional(nn.Module):
    def __init__(
        self,
        filters_in,
        filters_out,
        kernel_size,
        stride=1,
        norm="bn",
        activate="relu",
    ):
        super(Convolutional, self).__init__()

        self.norm = norm
        self.activate = activate

        self.__conv = nn.Conv2d(
            in_channels=filters_in,
            out_channels=filters_out,
            kernel_size=kernel_size,
            stride=stride,
            padding=kernel_size // 2,
            bias=not norm,
        )
        if norm:
            assert norm in norm_name.keys()
            if norm == "bn":
                self.__norm = norm_name[norm](num_features=filters_out)

        if activate:
            assert activate in activate_name.keys()
            if activate == "leaky":
                self.__activate = activate_name[activate](
                    negative_slope=0.1, inplace=True
                )
            if activate == "relu":
                self.__activate = activate_name[activate](inplace=True)
            if activate == "mish":
                self.__activate = activate_name[activate]

    def forward(self, x):
        x = self.__conv(x)
        if self.norm:
            x = self.__norm(x)
        if self.activate:
            x = self.__activate(x)

        return x


class CSPBlock(nn.Module):
    def __init__(
        self,
        in_channels,
        out_channels,
        hidden_channels=None,
        residual_activation="linear",
    ):
        super(CSPBlock, self).__init__()

        if hidden_channels is None:
            hidden_channels = out_channels

        self.block = nn.Sequential(
            Convolutional(in_channels, hidden_channels, 1),
            Convolutional(hidden_channels, out_channels, 3),
        )

        self.activation = activate_name[residual_activation]
        self.attention = None

    def forward(self, x):
        residual = x
        out = self.block(x)
        if self.attention is not None:
            out = self.attention_module(out)
        out += residual
        return out


torch.manual_seed(0)
stage = nn.Sequential(Convolutional(3, 8, 3, stride=2), CSPBlock(8, 8, 4))
optimizer = torch.optim.SGD(stage.parameters(), lr=1e-3, momentum=0.9)
imgs = torch.randn(2, 3, 16, 16)
optimizer.zero_grad()
loss = stage(imgs).pow(2).mean()
loss.backward()
optimizer.step()
