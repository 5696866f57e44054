# source: https://discuss.pytorch.org/t/which-is-freed-which-is-not/8636
# expect: clean
# pitfall: look-alike: Example 1 of the thread: `y = torch.sum(x(a))` is recomputed inside the loop, so each backward has its own graph
import torch
x = torch.nn.Linear(3,3)
a = torch.autograd.Variable(torch.randn(2, 3))
for i in range(100):
    y = torch.sum(x(a))
    y.backward()
