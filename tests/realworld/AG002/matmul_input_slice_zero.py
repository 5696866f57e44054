# source: https://github.com/zhuyuedlut/AIGC
# expect: AG002
# pitfall: d[:] = 0 overwrites the input of the second matmul, which saved it for the weight gradient
import torch

x = torch.FloatTensor([[1., 2.]])
w1 = torch.FloatTensor([[2.], [1.]])
w2 = torch.FloatTensor([3.])
w1.requires_grad = True
w2.requires_grad = True

d = torch.matmul(x, w1)
f = torch.matmul(d, w2)
d[:] = 0

f.backward()
