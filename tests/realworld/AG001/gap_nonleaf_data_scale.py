# source: https://github.com/OmidPoursaeed/Generative_Adversarial_Perturbations/issues/4
# expect: AG001
# pitfall: scaling a non-leaf through c.data[0] leaves the multiplication out of the graph, so the gradient is 4x too small (12 instead of 48)
import torch

a = torch.tensor([2.0], requires_grad=True)
b = torch.tensor([3.0], requires_grad=True)
c = b * 4
c.data[0] = c.data[0] * 4
loss = a * c
loss.backward()
print(a.grad)
