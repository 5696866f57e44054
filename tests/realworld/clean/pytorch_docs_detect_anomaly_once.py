# source: https://pytorch.org/docs/1.8.1/_modules/torch/autograd/anomaly_mode.html
# expect: clean
# pitfall: look-alike of AG014: the documented use, one forward and backward inside detect_anomaly() while debugging
import torch
from torch import autograd


class MyFunc(autograd.Function):
    @staticmethod
    def forward(ctx, inp):
        return inp.clone()

    @staticmethod
    def backward(ctx, gO):
        return gO.clone()


def run_fn(a):
    out = MyFunc.apply(a)
    return out.sum()


with autograd.detect_anomaly():
    inp = torch.rand(10, 10, requires_grad=True)
    out = run_fn(inp)
    out.backward()
