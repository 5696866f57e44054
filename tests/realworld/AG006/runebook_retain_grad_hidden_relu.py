# source: https://runebook.dev/en/docs/pytorch/generated/torch.tensor.retain_grad
# expect: AG006
# pitfall: "Example Code with the Issue": `y = x * 2` is an intermediate (non-leaf) tensor, so after `output.backward()` its `.grad` is None (torch warns that a non-leaf's .grad is being accessed); only the leaf `x` gets a gradient. The page's fix is `y.retain_grad()` before the backward
import torch

# Create a leaf tensor
x = torch.randn(1, 10, requires_grad=True)

# Intermediate non-leaf tensors
y = x * 2
z = y.relu()

# A final tensor
output = z.sum()

# Perform the backward pass
output.backward()

# Try to access the gradients
print(f"Gradients of x (leaf): {x.grad}")
print(f"Gradients of y (non-leaf): {y.grad}") # This will be None
