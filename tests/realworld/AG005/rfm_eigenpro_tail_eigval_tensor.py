# source: https://github.com/aradha/recursive_feature_machines/blob/00afd6967d6e3b6a5b6d86ac6849bfa1701776f7/rfm/eigenpro.py
# expect: AG005
# pitfall: asm_eigenpro_fn takes `tail_eigval` from the eigenvalue tensor that nystrom_kernel_svd returns (`eigvals[top_q - 1]`) and copy-constructs it, `tail_eigval_t = torch.tensor(tail_eigval, dtype=torch.float).to(device)`: torch warns to use `.detach().clone()` (the second warning fixed in https://github.com/aradha/recursive_feature_machines/pull/10). rfm/svd.py's nystrom_kernel_svd is replaced by an eigendecomposition of the subsample's kernel matrix; the docstring is trimmed
import time
import torch
import numpy as np


def nystrom_kernel_svd(samples, kernel_fn, top_q):
    n_sample, _ = samples.shape
    kmat = kernel_fn(samples, samples)
    scaled_kmat = kmat / n_sample
    vals, vecs = torch.linalg.eigh(scaled_kmat)
    eigvals = torch.flip(vals, dims=[0])[:top_q]
    eigvecs = torch.flip(vecs, dims=[1])[:, :top_q] / np.sqrt(n_sample)
    return eigvals.float(), eigvecs.float()


def asm_eigenpro_fn(samples, map_fn, top_q, bs_gpu, alpha, min_q=5, seed=1):
    """Prepare gradient map for EigenPro and calculate
    scale factor for learning ratesuch that the update rule,
        p <- p - eta * g
    becomes,
        p <- p - scale * eta * (g - eigenpro_fn(g))
    """

    np.random.seed(seed)  # set random seed for subsamples
    start = time.time()
    n_sample, _ = samples.shape

    if top_q is None:
        svd_q = min(n_sample - 1, 1000)
    else:
        svd_q = top_q

    
    eigvals, eigvecs = nystrom_kernel_svd(samples, map_fn, svd_q)

    # Choose k such that the batch size is bounded by
    #   the subsample size and the memory size.
    #   Keep the original k if it is pre-specified.
    if top_q is None:
        max_bs = min(max(n_sample / 5, bs_gpu), n_sample)
        top_q = torch.sum(torch.pow(1 / eigvals, alpha) < max_bs) - 1
        top_q = max(top_q, min_q)

    print("top_q", top_q, "svd_q", svd_q)
    eigvals, tail_eigval = eigvals[:top_q - 1], eigvals[top_q - 1]
    eigvecs = eigvecs[:, :top_q - 1]

    device = samples.device
    eigvals_t = eigvals.to(device)
    eigvecs_t = eigvecs.to(device)
    tail_eigval_t = torch.tensor(tail_eigval, dtype=torch.float).to(device)

    scale = torch.pow(eigvals[0] / tail_eigval, alpha).float()
    diag_t = (1 - torch.pow(tail_eigval_t / eigvals_t, alpha)) / eigvals_t

    def eigenpro_fn(grad, kmat):
        '''Function to apply EigenPro preconditioner.'''
        return torch.mm(eigvecs_t * diag_t,
                        torch.t(torch.mm(torch.mm(torch.t(grad),
                                                  kmat),
                                         eigvecs_t)))

    print("SVD time: %.2f, top_q: %d, top_eigval: %.2f, new top_eigval: %.2e" %
          (time.time() - start, top_q, eigvals[0], eigvals[0] / scale))

    #beta = kmat.diag().max()
    knorms = 1 - torch.sum(eigvecs ** 2, dim=1) * n_sample
    beta = torch.max(knorms)

    return eigenpro_fn, scale.item(), eigvals[0].item(), beta.float().item()


def laplace_kernel(samples, centers, bandwidth=10.0):
    return torch.exp(-torch.cdist(samples, centers) / bandwidth)


samples = torch.randn(40, 5)
eigenpro_f, gap, top_eigval, beta = asm_eigenpro_fn(
    samples, laplace_kernel, top_q=8, bs_gpu=64, alpha=.95, seed=1)
