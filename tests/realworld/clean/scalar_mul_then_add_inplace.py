# source: https://taourl.com/read-2445510.html
# expect: clean
# pitfall: look-alike: the post claims y.add_(1) after y = x * 2 breaks backward, but multiplication by a constant saves nothing and torch accepts it
import torch

x = torch.tensor([1.0], requires_grad=True)
y = x * 2
y.add_(1)
z = y.sum()
z.backward()
print(x.grad)
