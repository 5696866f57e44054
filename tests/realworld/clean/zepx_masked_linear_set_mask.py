# source: https://github.com/zepx/pytorch-weight-prune/blob/53d562108b4b05df824e021dc03bd19e1a2d933e/pruning/layers.py (see also issue #2)
# expect: clean
# pitfall: look-alike: set_mask zeroes the pruned weights once through `.data` (outside any forward, value without a graph), and forward multiplies by the mask as an ordinary op, so autograd sees the masking and pruned weights get zero gradient
# MaskedLinear is the file's; to_var (pruning/utils.py) is reduced to its CPU branch and the
# training loop of the repository's example is one step on random data.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable


def to_var(x, requires_grad=False, volatile=False):
    return Variable(x, requires_grad=requires_grad)


class MaskedLinear(nn.Linear):
    def __init__(self, in_features, out_features, bias=True):
        super(MaskedLinear, self).__init__(in_features, out_features, bias)
        self.mask_flag = False
    
    def set_mask(self, mask):
        self.register_buffer('mask', mask)
        mask_var = self.get_mask()
        self.weight.data = self.weight.data*mask_var.data
        self.mask_flag = True
    
    def get_mask(self):
        # print(self.mask_flag)
        return to_var(self.mask, requires_grad=False)
    
    def forward(self, x):
        if self.mask_flag == True:
            mask_var = self.get_mask()
            weight = self.weight * mask_var
            return F.linear(x, weight, self.bias)
        else:
            return F.linear(x, self.weight, self.bias)


torch.manual_seed(0)
layer = MaskedLinear(6, 4)
mask = (layer.weight.data.abs() > layer.weight.data.abs().median()).float()
layer.set_mask(mask)
optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
x, y = torch.randn(8, 6), torch.randn(8, 4)
optimizer.zero_grad()
loss = F.mse_loss(layer(x), y)
loss.backward()
optimizer.step()
