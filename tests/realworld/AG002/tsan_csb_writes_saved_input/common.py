# source: https://github.com/Jee-King/TSAN/blob/master/Train/model/common.py (EDSR's default_conv)
import torch.nn as nn


def default_conv(in_channels, out_channels, kernel_size, bias=True):
    return nn.Conv2d(
        in_channels, out_channels, kernel_size,
        padding=(kernel_size//2), bias=bias)
