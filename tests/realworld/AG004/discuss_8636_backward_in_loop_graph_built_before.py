# source: https://discuss.pytorch.org/t/which-is-freed-which-is-not/8636
# expect: AG004
# pitfall: Example 2 of the thread: `y = torch.sum(x(a))` is built once before the loop and `y.backward()` runs every iteration; the first backward frees what the linear layer saved, the second raises
import torch
x = torch.nn.Linear(3,3)
a = torch.autograd.Variable(torch.randn(2, 3))
y = torch.sum(x(a))
for i in range(100):
    y.backward()
