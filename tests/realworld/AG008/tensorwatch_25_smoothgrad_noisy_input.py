# source: https://github.com/microsoft/tensorwatch/blob/9e5f1f3355f0e58838d3f0b36fad42fe01d0dd71/tensorwatch/saliency/backprop.py
# expect: AG008
# pitfall: SmoothGrad passes `noisy_inp = inp + noise` to `_backprop`, which sets `inp.requires_grad = True`; once `inp` requires grad (after the first explainer ran on it) the noisy input is a non-leaf and torch raises (https://github.com/microsoft/tensorwatch/issues/25); the classes are backprop.py's, the model is a small CNN
import numpy as np
from torch.autograd import Variable, Function
import torch
import torch.nn as nn
import types


class VanillaGradExplainer(object):
    def __init__(self, model):
        self.model = model

    def _backprop(self, inp, ind):
        inp.requires_grad = True
        if inp.grad is not None:
            inp.grad.zero_()
        if ind.grad is not None:
            ind.grad.zero_()
        self.model.eval()
        self.model.zero_grad()

        output = self.model(inp)
        if ind is None:
            ind = output.max(1)[1]
        grad_out = output.clone()
        grad_out.fill_(0.0)
        grad_out.scatter_(1, ind.unsqueeze(0).t(), 1.0)
        output.backward(grad_out)
        return inp.grad

    def explain(self, inp, ind=None, raw_inp=None): 
        return self._backprop(inp, ind)


# modified from https://github.com/PAIR-code/saliency/blob/master/saliency/base.py#L80
class SmoothGradExplainer(object):
    def __init__(self, model, base_explainer=None, stdev_spread=0.15,
                nsamples=25, magnitude=True):
        self.base_explainer = base_explainer or VanillaGradExplainer(model)
        self.stdev_spread = stdev_spread
        self.nsamples = nsamples
        self.magnitude = magnitude

    def explain(self, inp, ind=None, raw_inp=None):
        stdev = self.stdev_spread * (inp.max() - inp.min())

        total_gradients = 0

        for i in range(self.nsamples):
            noise = torch.randn_like(inp) * stdev

            noisy_inp = inp + noise
            noisy_inp.retain_grad()
            grad = self.base_explainer.explain(noisy_inp, ind)

            if self.magnitude:
                total_gradients += grad ** 2
            else:
                total_gradients += grad

        return total_gradients / self.nsamples


model = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 5))
input_tensor = torch.randn(1, 3, 8, 8)
prediction_tensor = torch.tensor([2])
VanillaGradExplainer(model).explain(input_tensor, prediction_tensor)
SmoothGradExplainer(model).explain(input_tensor, prediction_tensor)
