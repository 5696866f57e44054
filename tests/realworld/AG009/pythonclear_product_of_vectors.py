# source: https://www.pythonclear.com/errors/runtimeerror-grad-can-be-implicitly-created-only-for-scalar-outputs/
# expect: AG009
# pitfall: A = x*y is a two-element vector; A.backward() has no gradient to start from
import torch

x = torch.tensor([5., 5.], requires_grad=True)
y = torch.tensor([8., 8.], requires_grad=True)

A = x * y

# calculate the gradient
A.backward()

print(x.grad)
print(y.grad)
