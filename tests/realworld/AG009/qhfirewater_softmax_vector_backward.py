# source: https://github.com/QHfirewater/reinforcement_learning2
# expect: AG009
# pitfall: the notebook's softmax cell calls `p.backward()` on `p = F.softmax(a,dim=0)`, three probabilities: backward without `gradient=` needs a scalar ("RuntimeError: grad can be implicitly created only for scalar outputs", the cell's recorded output); the next cells take `torch.autograd.grad(p[1],a,retain_graph=True)` of one element instead
import torch
from torch.nn import functional as F

a = torch.rand(3,requires_grad = True)
a

p = F.softmax(a,dim=0)
p

p.backward()
