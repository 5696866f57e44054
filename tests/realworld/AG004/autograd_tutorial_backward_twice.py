# source: https://github.com/Deewens/FYP-DRL-Comparison
# expect: AG004
# pitfall: the notebook cell calling loss.backward() is run a second time on the same loss
import torch

x = torch.ones(5)
y = torch.zeros(3)
w = torch.randn(5, 3, requires_grad=True)
b = torch.randn(3, requires_grad=True)
z = torch.matmul(x, w) + b
loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)

loss.backward()
print(w.grad)
print(b.grad)

loss.backward()
print(w.grad)
print(b.grad)
