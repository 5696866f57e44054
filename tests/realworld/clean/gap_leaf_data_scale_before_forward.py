# source: https://github.com/OmidPoursaeed/Generative_Adversarial_Perturbations/issues/4
# expect: clean
# pitfall: look-alike: scaling a leaf through b.data[0] before it is used in any computation; autograd only ever sees the new value
import torch

a = torch.tensor([2.0], requires_grad=True)
b = torch.tensor([3.0], requires_grad=True)
b.data[0] = b.data[0] * 4
loss = a * b
loss.backward()
print(a.grad)
