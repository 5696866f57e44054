# source: https://github.com/jeshraghian/snn-tha/blob/HEAD/shd/functions.py
# expect: clean
# pitfall: look-alike: binarisation done inside an autograd.Function (index assignment on a fresh tensor in forward, straight-through backward), not through .data
import torch
import torch.nn as nn
from torch.autograd import Function


class BinarizeF(Function):

    @staticmethod
    def forward(ctx, input):
        output = input.new(input.size())
        output[input >= 0] = 1
        output[input < 0] = -1
        return output

    @staticmethod
    def backward(ctx, grad_output):
        grad_input = grad_output.clone()
        return grad_input


# aliases
binarize = BinarizeF.apply


class BinaryLinear(nn.Linear):
    def forward(self, input):
        return nn.functional.linear(input, binarize(self.weight), self.bias)


layer = BinaryLinear(6, 3)
loss = layer(torch.randn(4, 6)).pow(2).mean()
loss.backward()
