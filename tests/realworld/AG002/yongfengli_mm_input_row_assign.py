# source: https://www.yongfengli.tk/2018/04/13/inplace-operation-in-pytorch.html
# expect: AG002
# pitfall: b[i] = b[i] + 1 writes into b after torch.mm(self.param, b) saved it in the previous iteration; backward raises
import torch
import torch.nn as nn
from torch.autograd import Variable


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.param = nn.Parameter(torch.randn(10, 10))

    def forward(self,a):
        b = Variable(torch.Tensor(10,1))
        y = 0
        b = torch.mm(self.param,a)
        for i in range(10):
            b[i] = b[i] + 1 #inpalce operation
            y = y + torch.mm(self.param,b)
        return y


net = Net()
out = net(torch.randn(10, 1))
out.sum().backward()
