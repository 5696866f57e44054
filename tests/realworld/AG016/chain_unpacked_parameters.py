# source: https://github.com/pytorch/pytorch/issues/4957
# expect: AG016
# pitfall: itertools.chain(*net.parameters(), W) unpacks each parameter into its rows (views, non-leaves) instead of the parameters; Adam raises "can't optimize a non-leaf Tensor"
import itertools
import torch

net = torch.nn.Linear(1, 1)
W = torch.zeros(1, 1, requires_grad=True)

# This does NOT work!
torch.optim.Adam(itertools.chain(*net.parameters(), W))
