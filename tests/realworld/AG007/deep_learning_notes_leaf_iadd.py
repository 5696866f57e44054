# source: https://github.com/lhycms/Deep_Learning_Notes
# expect: AG007
# pitfall: the note's own example of the error: `x += 1` on a tensor made with requires_grad=True, with grad mode on
import torch

# For example

# leaf variable
w = torch.tensor([1.0, 2.0, 3.0])

# also leaf variable
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

# not a leaf variable
y = x + 1

print(w.is_leaf, x.is_leaf, y.is_leaf)

x += 1  # in-place
y = x + 1 # not in place
