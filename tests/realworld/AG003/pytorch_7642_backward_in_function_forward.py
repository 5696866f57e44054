# source: https://github.com/pytorch/pytorch/issues/7642
# expect: AG003
# pitfall: a backward run inside a custom autograd Function's forward: forward runs with grad mode off, so `y = var(x)` builds no graph and `y.backward(...)` raises "element 0 of tensors does not require grad"
# The legacy Function (non-static forward) is written in the static form torch 2.13
# requires; `var` is the issue's own differentiable helper, here a plain function.
import numpy as np
import torch
from torch.autograd import Function, Variable


def var(x):
    return (x - x.mean(0)) ** 2


x = np.array([[1.,2.], [3.,4.], [5.,6.]])
x = Variable(torch.from_numpy(x).float(), requires_grad=True)
y = var(x)
y.backward(torch.randn(y.size()))
# it works fine up to here
print(x.grad)


class Y_fun(Function):
    @staticmethod
    def forward(ctx, x):
        y = var(x)
        y.backward(torch.randn(y.size()))
        print(x.grad)      # exact same thing, but in a forward method, failed
        return y

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def y_fun(x):
    return Y_fun.apply(x)

y = y_fun(x)
