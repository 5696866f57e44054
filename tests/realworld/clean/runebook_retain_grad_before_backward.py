# source: https://runebook.dev/en/docs/pytorch/generated/torch.tensor.retain_grad
# expect: clean
# pitfall: none: "Example Code with retain_grad()": `y.retain_grad()` is called on the intermediate tensor before `output.backward()`, so `y.grad` is populated and torch does not warn
import torch

# Create a leaf tensor
x = torch.randn(1, 10, requires_grad=True)

# Intermediate non-leaf tensor
y = x * 2

# Call retain_grad() on the non-leaf tensor you want to inspect
y.retain_grad()

z = y.relu()
output = z.sum()

# Perform the backward pass
output.backward()

# Now you can access the gradients of y
print(f"Gradients of x (leaf): {x.grad}")
print(f"Gradients of y (non-leaf): {y.grad}") # This will now have a value
