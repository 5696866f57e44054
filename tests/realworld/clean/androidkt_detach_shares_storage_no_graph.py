# source: https://androidkt.com/one-of-the-variables-needed-for-gradient-computation-has-been-modified-by-an-inplace-operation/
# expect: clean
# pitfall: none: y = x.detach() shares x's storage and y[0] = 2.0 changes x, but no graph saved x and no backward follows
import torch

x = torch.tensor(([1.0]),requires_grad=True)
y = x.detach()
print(y.requires_grad) #False
y[0]=2.0
print(x) #tensor([2.], requires_grad=True)
