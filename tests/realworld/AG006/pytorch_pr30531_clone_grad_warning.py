# source: https://github.com/pytorch/pytorch/pull/30531
# expect: AG006
# pitfall: the test that introduced the warning: `dummy.clone()` is a non-leaf, and accessing its `.grad` warns (it will never be populated); the test's warning-count asserts are left out
import torch

dummy = torch.rand(4, 4)
# Accessing .grad on leaf
dummy.requires_grad_()
foo = dummy.grad

# Accessing .grad on non-leaf
dummy = dummy.clone()
foo = dummy.grad
