# source: https://e-com-net.com/article/1279942790742032384.htm
# expect: AG002
# pitfall: zero_() on out.detach() also zeroes the sigmoid output that SigmoidBackward saved
import torch

a = torch.tensor([1, 2, 3.], requires_grad=True)
out = a.sigmoid()
c = out.detach()
c.zero_()
out.sum().backward()
