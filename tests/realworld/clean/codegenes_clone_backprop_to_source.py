# source: https://www.codegenes.net/blog/pytorch-clone-backpropagation
# expect: clean
# pitfall: none: the clone is part of the graph on purpose and the gradient reaching x through it is the point
import torch

# Create a tensor with requires_grad=True
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

# Clone the tensor
y = x.clone()

# Define a simple function
z = y.sum()

# Compute the gradients
z.backward()

# Print the gradients of x
print(x.grad)
