# source: https://github.com/PingoLH/CatConv2d/blob/master/test.py
# expect: AG007
# pitfall: the benchmark copies a random kernel into the layers with `cconv.weight[:,:,:,:] = W[:,:,:,:]` (line 107, the traceback in https://github.com/PingoLH/FCHarDNet/issues/61) with grad mode on: an in-place write on a parameter. The CUDA CatConv2d module is replaced by its parameters, the argparse options by constants
import math

import torch
from torch import nn


class CatConv2d(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, padding=0, relu=False, padding_mode='zeros'):
        super(CatConv2d, self).__init__()
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        #self.stride = stride
        self.padding = padding

        self.weight = nn.Parameter(
            torch.Tensor(out_channels, in_channels, *kernel_size) )
        
        self.bias = nn.Parameter(torch.Tensor(out_channels))

        self.relu = relu
        
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.out_channels)
        self.weight.data.uniform_(-stdv, +stdv)
        self.bias.data.fill_(0)


device = torch.device("cpu")
dtype = torch.float32

x_list = [15,5,34, 42,7, 9,88,233]
img_sz = 87
output_ch = 123

print("in channels = ", sum(x_list))

W = torch.randn(output_ch, sum(x_list), 3, 3).to(device, dtype)
bias = torch.randn(output_ch).to(device, dtype)
relu = nn.ReLU(True)

cconv = CatConv2d( sum(x_list), output_ch, (3,3), relu=False).to(device, dtype)
cconv.weight[:,:,:,:] = W[:,:,:,:]
cconv.bias[:] = bias[:]


conv = nn.Conv2d(sum(x_list), output_ch, kernel_size=3, stride=1, bias=True, padding=1).to(device, dtype)
conv.weight[:,:,:,:] = W[:,:,:,:]
conv.bias[:] = bias[:]
