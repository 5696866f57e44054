# source: https://github.com/BaiTheBest/SparseLLM/issues/13
# expect: AG007
# pitfall: the manual gradient step `s_batch -= s_learning_rate * s_batch.grad` runs with grad mode on, on a leaf that requires grad; the surrounding tensors are stand-ins for the layer's activations
import torch

s = torch.randn(8, 4)
target = torch.randn(8, 4)
s_learning_rate = 0.01
chunk = slice(0, 2)

s_batch = s[:, chunk].clone().detach().requires_grad_(True)
loss_s = ((s_batch - target[:, chunk]) ** 2).sum()
loss_s.backward()
s_batch -= s_learning_rate * s_batch.grad
s_batch.grad.zero_()
s[:, chunk] = s_batch.detach().to(dtype=torch.float16)
