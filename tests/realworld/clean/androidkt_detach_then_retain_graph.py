# source: https://androidkt.com/difference-between-clone-vs-detach-copy-deepcopy-in-pytorch/
# expect: clean
# pitfall: look-alike: p = z.detach() keeps the second loss out of z's gradient, and retain_graph=True is passed where a second backward through the same graph follows
import torch

x = torch.tensor(([1.0]), requires_grad=True)
y = x**2
z = 2*y
w = z**3
# detach it, so the gradient w.r.t `p` does not effect `z`!
p = z.detach()
q = torch.tensor(([2.0]), requires_grad=True)
pq = p*q
pq.backward(retain_graph=True)
w.backward()
print(x.grad)
