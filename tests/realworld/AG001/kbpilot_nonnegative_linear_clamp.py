# source: https://github.com/nathanjpaek/kb-pilot/blob/main/KernelBench/KernelBench/level9/8009_NonnegativeLinear.py
# expect: AG001
# pitfall: NonnegativeLinear.forward clamps its weight in place through `.data` (`self.weight.data.clamp_(0.0)`) on every call: the projection is part of the forward computation but autograd never sees it. The layer is used in a two-layer regression net trained for one step; the KernelBench get_inputs/get_init_inputs helpers are left out
import torch
import numpy as np
import torch.nn as nn
import torch.nn.functional as F


class NonnegativeLinear(nn.Linear):

    def reset_parameters(self):
        nn.init.xavier_uniform_(self.weight)
        self.weight.data.abs_()
        if self.bias is not None:
            fan_in, _ = nn.init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / np.sqrt(fan_in)
            nn.init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        self.weight.data.clamp_(0.0)
        return F.linear(input, self.weight, self.bias)


net = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), NonnegativeLinear(8, 1))
optimizer = torch.optim.SGD(net.parameters(), lr=0.5)
x = torch.randn(16, 4)
y = torch.randn(16, 1)
for step in range(2):
    optimizer.zero_grad()
    loss = F.mse_loss(net(x), y)
    loss.backward()
    optimizer.step()
