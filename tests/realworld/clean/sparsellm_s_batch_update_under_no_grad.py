# source: https://github.com/BaiTheBest/SparseLLM/blob/0026d552e75c0c4e06c644ee298d6deae0c13c55/model_utils.py
# expect: clean
# pitfall: none: `s_batch -= s_learning_rate * s_batch.grad` is an in-place op on a leaf that requires grad, but llama_sparsellm is decorated `@torch.no_grad()` (only the loss is built under `torch.enable_grad()`), so torch allows it; issue #13 reports the leaf error for a copy run without the decorator, and the maintainer could not reproduce it. The model, the calibration hooks and the pruning steps are replaced by random activations
import torch
import torch.nn as nn


@torch.no_grad()
def llama_sparsellm(X, z, p, s, subset, alpha=5.0, gamma=5.0):
    ##############
    # optimize s
    ##############

    w = subset['mlp.gate_proj'].weight
    # convert the layer's weight tensor to float32 and enable grad
    w = w.to(dtype=torch.float32).requires_grad_(True)

    s_update_epochs = 2
    s_learning_rate = 0.01
    for _ in range(s_update_epochs):

        batch_size = 1000  # Choose an appropriate batch size based on your memory constraints
        # s: [hidden_d, n_samples]
        for k in range(0, s.size(-1), batch_size):
            chunk = slice(k, k + batch_size)

            # get the "mini-batch" for each tensor and turn on autograd
            X_batch = X[:,chunk].to(dtype=torch.float32).requires_grad_(True)
            z_batch = z[:,chunk].to(dtype=torch.float32).requires_grad_(True)
            p_batch = p[:,chunk].to(dtype=torch.float32).requires_grad_(True)
            s_batch = s[:,chunk].to(dtype=torch.float32).requires_grad_(True)

            with torch.enable_grad():   # temporarily turn on the Pytorch computational graph functionality

                loss_s = alpha * torch.norm(s_batch - torch.matmul(w, X_batch))**2
                loss_s += gamma * torch.norm(p_batch - nn.functional.silu(s_batch) * z_batch)**2

            loss_s.backward()
            s_batch -= s_learning_rate * s_batch.grad
            s_batch.grad.zero_()
            s[:,chunk] = s_batch.detach().to(dtype=torch.float16)

    s_batch, X_batch, z_batch, p_batch, w = s_batch.detach(), X_batch.detach(), z_batch.detach(), p_batch.detach(), w.detach()
    del w, loss_s, s_batch, X_batch, z_batch, p_batch
    return s


hidden, inter, n = 6, 10, 1500
subset = {'mlp.gate_proj': nn.Linear(hidden, inter, bias=False)}
X = torch.randn(hidden, n, dtype=torch.float16)
z = torch.randn(inter, n, dtype=torch.float16)
p = torch.randn(inter, n, dtype=torch.float16)
s = torch.randn(inter, n, dtype=torch.float16)
s_before = s.clone()
s = llama_sparsellm(X, z, p, s, subset)
