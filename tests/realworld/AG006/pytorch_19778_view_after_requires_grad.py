# source: https://github.com/pytorch/pytorch/issues/19778
# expect: AG006
# pitfall: `torch.tensor(..., requires_grad=True).view(2, 1, 1)` keeps only the view, a non-leaf: after backward its `.grad` is None
import torch

# test with view
X_view = torch.tensor([0.25, 0.75], requires_grad=True,).view(2, 1, 1)
print(f"X_view.shape: {X_view.shape}")
X_view.sum().backward()
print(f"X_view.grad: {X_view.grad}")
print(f"X_view.grad is None: {X_view.grad is None}")
