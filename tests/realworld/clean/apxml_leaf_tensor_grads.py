# source: https://apxml.com/courses/getting-started-with-pytorch/chapter-3-automatic-differentiation-autograd/accessing-gradients-grad
# expect: clean
# pitfall: none: every `.grad` read is of a leaf (the inputs made with requires_grad=True, and a tensor that never required grad)
import torch
# Create input tensors that require gradients
x = torch.tensor(2.0, requires_grad=True)
w = torch.tensor(3.0, requires_grad=True)
b = torch.tensor(1.0, requires_grad=True)
# Define a simple computation
y = w * x + b # y = 3.0 * 2.0 + 1.0 = 7.0
# Compute gradients
y.backward()
# Access the gradients stored in the .grad attribute
print(f"Gradient of y with respect to x (dy/dx): {x.grad}")
print(f"Gradient of y with respect to w (dy/dw): {w.grad}")
print(f"Gradient of y with respect to b (dy/db): {b.grad}")
# Create a tensor that does NOT require gradients
z = torch.tensor(4.0, requires_grad=False)
print(f"Gradient for tensor z (requires_grad=False): {z.grad}")
