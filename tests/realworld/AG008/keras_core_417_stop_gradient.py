# source: https://github.com/keras-team/keras-core/pull/417
# expect: AG008
# pitfall: the torch backend's `stop_gradient` called `variable.requires_grad_(False)`, which raises for a non-leaf input; the PR switched to `.detach()`
import torch


def stop_gradient(variable):
    return variable.requires_grad_(False)


x = torch.randn(4, 3, requires_grad=True)
hidden = torch.tanh(x * 2.0)
frozen = stop_gradient(hidden)
