# source: https://jimypbr.github.io/2020/02/fast-ai-lesson-8-notes-backprop-from-the-foundations
# expect: clean
# pitfall: none: c[i,j] += ... writes into a fresh torch.zeros result that no graph holds and that does not require grad
import torch


def matmul(a,b):
    ar,ac = a.shape # n_rows * n_cols
    br,bc = b.shape
    assert ac==br
    c = torch.zeros(ar, bc)
    for i in range(ar):
        for j in range(bc):
            for k in range(ac): # or br
                c[i,j] += a[i,k] * b[k,j]
    return c


m1 = torch.randn(5, 4)
m2 = torch.randn(4, 3)
t1 = matmul(m1, m2)
assert torch.allclose(t1, m1 @ m2, atol=1e-5)
