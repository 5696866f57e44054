# source: https://github.com/pytorch/pytorch/issues/134398
# expect: AG006
# pitfall: `t3 = t1 + t2` is a non-leaf; reading `t3.grad` (before and after the backward) warns and gives None
import torch

t1 = torch.tensor(5., requires_grad=True) # Leaf tensor
t2 = torch.tensor(2., requires_grad=True) # Leaf tensor

t3 = t1 + t2 # Non-leaf tensor

print(t3.grad) # Warning

t3.backward()

print(t3.grad) # Warning
