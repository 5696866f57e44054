# source: https://huggingface.co/datasets/nvidia/Nemotron-CC-Math-v1
# expect: AG001, AG002
# pitfall: fill_(6) through out.data before backward; the sigmoid backward reads the overwritten output and a.grad comes out as -30
import torch

a = torch.tensor([1, 2, 3.], requires_grad=True)
out = a.sigmoid()
c = out.data
c.fill_(6)
out.sum().backward()
print(a.grad)
