# source: https://github.com/pytorch/pytorch/issues/92586
# expect: AG003
# pitfall: func() returns `t.detach()` of its argument, so `func(t).sum()` is cut from t's graph and its backward raises (the first snippet, verbatim)
import torch
t = torch.randn(5, requires_grad=True)

def func(t):
    t_copy = t.detach()
    return t_copy

func(t).sum().backward()
