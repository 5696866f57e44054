# source: https://e-com-net.com/article/1279942790742032384.htm
# expect: AG001, AG002
# pitfall: zero_() through out.data overwrites the sigmoid output that SigmoidBackward saved; unlike detach() nothing raises and a.grad is silently wrong
import torch

a = torch.tensor([1, 2, 3.], requires_grad=True)
out = a.sigmoid()
c = out.data
c.zero_()
out.sum().backward()
print(a.grad)
