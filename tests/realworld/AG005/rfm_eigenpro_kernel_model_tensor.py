# source: https://github.com/aradha/recursive_feature_machines/blob/00afd6967d6e3b6a5b6d86ac6849bfa1701776f7/rfm/eigenpro.py
# expect: AG005
# pitfall: KernelModel.tensor() wraps everything in `torch.tensor(data, requires_grad=False, device=self.device)`, and __init__ hands it tensors (the centers and `torch.zeros(...)`): each call copy-constructs a tensor and torch warns to use `.detach().clone()` (fixed in https://github.com/aradha/recursive_feature_machines/pull/10). The Laplace kernel and the data are stand-ins; fit() and the EigenPro preconditioner are left out
import collections
import time
import torch

import torch.nn as nn
import numpy as np


class KernelModel(nn.Module):
    '''Fast Kernel Regression using EigenPro iteration.'''
    def __init__(self, kernel_fn, centers, y_dim, device="cuda"):
        super(KernelModel, self).__init__()
        self.kernel_fn = kernel_fn
        self.n_centers, self.x_dim = centers.shape
        self.device = device
        self.pinned_list = []

        self.centers = self.tensor(centers, release=True)
        self.weight = self.tensor(torch.zeros(
            self.n_centers, y_dim), release=True)

    def tensor(self, data, dtype=None, release=False):
        tensor = torch.tensor(data, requires_grad=False, device=self.device)

        if release:
            self.pinned_list.append(tensor)
        return tensor

    def kernel_matrix(self, samples):
        return self.kernel_fn(samples, self.centers)

    def forward(self, samples, weight=None):
        if weight is None:
            weight = self.weight
        kmat = self.kernel_matrix(samples)
        pred = kmat.mm(weight)
        return pred


def laplace_kernel(samples, centers, bandwidth=10.0):
    return torch.exp(-torch.cdist(samples, centers) / bandwidth)


X_train = torch.randn(20, 5)
model = KernelModel(laplace_kernel, X_train, y_dim=2, device="cpu")
pred = model(X_train[:4])
