# source: https://tjhub.jdoodle.com/post/runtimeerror-grad-can-be-implicitly-created-only-for-scalar
# expect: AG009
# pitfall: the "loss" is torch.cat of two 3-element vectors (six elements), so backward() raises
import torch

x = torch.randn(3, requires_grad=True)
y = torch.randn(3, requires_grad=True)
# Incorrect: multiple outputs
loss = torch.cat([x, y])
loss.backward()  # This will throw the error!
