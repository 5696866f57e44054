# source: https://github.com/noureddinekhiati/BNN/blob/HEAD/BinaryNetwork.py
# expect: clean
# pitfall: look-alike: the binary layer binarises its weight through an autograd Function (straight-through) inside forward, instead of writing self.weight.data
import torch
import torch.nn as nn
from torch.nn import functional as F


class StandBinarize(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return input.sign()

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * (input.abs() <= 1).to(grad_output.dtype)


class BinaryLinear(nn.Linear):

    def forward(self, input):
        binary_weight = StandBinarize.apply(self.weight)
        if self.bias is None:
            return F.linear(input, binary_weight)
        else:
            return F.linear(input, binary_weight, self.bias)


model = nn.Sequential(BinaryLinear(6, 8), nn.Hardtanh(), BinaryLinear(8, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for _ in range(2):
    loss = F.cross_entropy(model(torch.randn(4, 6)), torch.randint(0, 2, (4,)))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
