# source: https://androidkt.com/how-to-copy-pytorch-tensor-using-clone-detach-and-deepcopy/
# expect: clean
# pitfall: look-alike: clones used inside a differentiable computation on purpose; the gradient through both clones reaches x (5 per element)
import torch

x = torch.ones(5, requires_grad=True)
y = x.clone() * 2
z = x.clone() * 3
sum = (y + z).sum()
sum.backward()
print(x.grad)
