# source: https://github.com/fastai/fastbook/pull/471
# expect: AG007
# pitfall: 04_mnist_basics.ipynb makes its parameters with `init_params`, `(torch.randn(size)*std).requires_grad_()` (a product turned into a leaf that requires grad), then nudges one weight with `weights[0] *= 1.0001` outside `torch.no_grad()`: "a view of a leaf Variable that requires grad is being used in an in-place operation" (the PR's traceback; it proposes `weights[0].data *= 1.0001`). The MNIST 3s and 7s are replaced by random images and labels
import torch

train_x = torch.rand(12, 28*28)
train_y = torch.randint(0, 2, (12, 1)).float()

def init_params(size, std=1.0): return (torch.randn(size)*std).requires_grad_()

weights = init_params((28*28,1))

bias = init_params(1)

(train_x[0]*weights.T).sum() + bias

def linear1(xb): return xb@weights + bias
preds = linear1(train_x)
preds

corrects = (preds>0.0).float() == train_y
corrects

corrects.float().mean().item()

weights[0] *= 1.0001

preds = linear1(train_x)
((preds>0.0).float() == train_y).float().mean().item()
