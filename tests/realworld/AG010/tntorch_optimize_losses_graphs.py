# source: https://github.com/rballester/tntorch/pull/19
# expect: AG010
# pitfall: optimize() appends each iteration's loss tensor to `losses` (the loss history); every added loss is a full computational graph, which froze a 12 GB machine in 1000 iterations
import time
from functools import reduce

import torch


class TT:
    def __init__(self):
        self.cores = [torch.randn(1, 3, 2, requires_grad=True), torch.randn(2, 3, 1, requires_grad=True)]
        self.Us = [None, None]


def optimize(tensors, loss_function, tol=1e-4, max_iter=10000, print_freq=500, verbose=True):
    if not isinstance(tensors, (list, tuple)):
        tensors = [tensors]
    parameters = []
    for t in tensors:
        parameters.extend([c for c in t.cores if c.requires_grad])
        parameters.extend([U for U in t.Us if U is not None and U.requires_grad])
    if len(parameters) == 0:
        raise ValueError("There are no parameters to optimize. Did you forget a requires_grad=True somewhere?")

    optimizer = torch.optim.Adam(parameters)
    losses = []
    converged = False
    start = time.time()
    iter = 0
    while True:
        optimizer.zero_grad()
        loss = loss_function(*tensors)
        if not isinstance(loss, (tuple, list)):
            loss = [loss]
        losses.append(reduce(lambda x, y: x + y, loss))
        if len(losses) >= 2:
            delta_loss = (losses[-1] - losses[-2])
        else:
            delta_loss = float('-inf')
        if iter >= 2 and tol is not None and (losses[-1] <= tol or -delta_loss / losses[-1] <= tol) and losses[-2] - \
                losses[-1] < losses[-3] - losses[-2]:
            converged = True
            break
        if iter == max_iter:
            break
        losses[-1].backward()
        optimizer.step()
        iter += 1


t = TT()
optimize(t, lambda t: sum((c ** 2).sum() for c in t.cores), max_iter=20, verbose=False)
