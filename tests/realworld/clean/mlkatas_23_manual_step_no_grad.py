# source: https://mlkatas.com/kata/23
# expect: clean
# pitfall: none: the in-place update `w -= 0.1 * w.grad` of a leaf that requires grad is inside `with torch.no_grad():`, which torch allows (the same statement outside it raises "a leaf Variable that requires grad is being used in an in-place operation")
import torch

w = torch.tensor(5.0, requires_grad=True)
loss = (w - 3) ** 2
loss.backward()
with torch.no_grad():
    w -= 0.1 * w.grad
print(w.item()) # Should be closer to 3 than 5
