# source: https://github.com/meta-pytorch/tritonbench/issues/155
# expect: AG012
# pitfall: q and k are transposes of the generated tensors (views); the cudagraph benchmark calls detach_() on its grad_to_none inputs
import torch

num_q_heads, num_kv_heads, head_dim, seq_length = 4, 2, 8, 16
q = torch.randn(
    (1, seq_length, num_q_heads, head_dim),
    requires_grad=True,
).transpose(1, 2)
k = torch.randn(
    (1, seq_length, num_kv_heads, head_dim),
    requires_grad=True,
).transpose(1, 2)

grad_to_none = [q, k]
# triton.testing.do_bench_cudagraph
for x in grad_to_none:
    x.detach_()
    x.requires_grad_(True)
    x.grad = None
