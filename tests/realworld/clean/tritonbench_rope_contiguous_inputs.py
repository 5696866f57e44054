# source: https://github.com/meta-pytorch/tritonbench/pull/156
# expect: clean
# pitfall: look-alike of AG012: the fix makes q and k contiguous copies, so detach_() on them is allowed
import torch

num_q_heads, num_kv_heads, head_dim, seq_length = 4, 2, 8, 16
q = (
    torch.randn(
        (1, seq_length, num_q_heads, head_dim),
        requires_grad=True,
    )
    .transpose(1, 2)
    .contiguous()
)
k = (
    torch.randn(
        (1, seq_length, num_kv_heads, head_dim),
        requires_grad=True,
    )
    .transpose(1, 2)
    .contiguous()
)

grad_to_none = [q, k]
for x in grad_to_none:
    x.detach_()
    x.requires_grad_(True)
    x.grad = None
