# source: https://theneuralbase.com/pytorch/learn/beginner/detach-stopping-gradient-flow/
# expect: clean
# pitfall: none: the write goes to x.detach().clone(), a copy with its own storage, so x and its graph are untouched
import torch

# FIX: Use .clone().detach() for true independence
x = torch.tensor([2.0, 3.0], requires_grad=True)
x_detached_copy = x.detach().clone()  # Creates independent copy, required since PyTorch 1.0
x_detached_copy[0] = 99.0
print(f"Original x unchanged: {x.data}")
(x * x).sum().backward()
