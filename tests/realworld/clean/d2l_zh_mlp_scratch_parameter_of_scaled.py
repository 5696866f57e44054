# source: https://github.com/d2l-ai/d2l-zh/blob/10b71cd3315ffe467a8e1115632dc16594b2e1e0/chapter_multilayer-perceptrons/mlp-scratch.md
# expect: clean
# pitfall: look-alike for AG016 (and for a binary `torch.max`): each weight is `nn.Parameter(torch.randn(..., requires_grad=True) * 0.01)`: the product is a non-leaf, but wrapping it in `nn.Parameter` makes a new leaf, so `torch.optim.SGD(params, lr=lr)` optimizes the very tensors the model uses; `torch.max(X, a)` is the elementwise maximum. The PyTorch tab of the d2l-zh section; Fashion-MNIST is replaced by random 28x28 images, 784/256 by smaller sizes, d2l.train_ch3 by its inner loop
import torch
from torch import nn

num_inputs, num_outputs, num_hiddens = 16, 10, 8

W1 = nn.Parameter(torch.randn(
    num_inputs, num_hiddens, requires_grad=True) * 0.01)
b1 = nn.Parameter(torch.zeros(num_hiddens, requires_grad=True))
W2 = nn.Parameter(torch.randn(
    num_hiddens, num_outputs, requires_grad=True) * 0.01)
b2 = nn.Parameter(torch.zeros(num_outputs, requires_grad=True))

params = [W1, b1, W2, b2]


def relu(X):
    a = torch.zeros_like(X)
    return torch.max(X, a)


def net(X):
    X = torch.reshape(X, (-1, num_inputs))
    H = relu(X@W1 + b1)  # 这里“@”代表矩阵乘法
    return (H@W2 + b2)


loss = nn.CrossEntropyLoss()

num_epochs, lr = 2, 0.1
updater = torch.optim.SGD(params, lr=lr)
train_iter = [(torch.rand(4, 1, 4, 4), torch.randint(0, 10, (4,))) for _ in range(3)]
for epoch in range(num_epochs):  # d2l.train_ch3's loop, stubbed
    for X, y in train_iter:
        y_hat = net(X)
        l = loss(y_hat, y)
        updater.zero_grad()
        l.mean().backward()
        updater.step()
