# source: https://github.com/PingoLH/FCHarDNet/issues/61
# expect: AG007
# pitfall: test.py folds batch norm into a conv by writing `cconv.weight[:,:,:,:] = W[:,:,:,:]` with grad mode on: an in-place write on a parameter; the network is replaced by one conv + batch norm
import torch
import torch.nn as nn

conv = nn.Conv2d(3, 4, 3, bias=False)
bn = nn.BatchNorm2d(4)
cconv = nn.Conv2d(3, 4, 3, bias=True)

w_conv = conv.weight.clone().view(4, -1)
w_bn = torch.diag(bn.weight.div(torch.sqrt(bn.eps + bn.running_var)))
W = torch.mm(w_bn, w_conv).view(cconv.weight.size())
cconv.weight[:,:,:,:] = W[:,:,:,:]
