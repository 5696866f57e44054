# source: https://github.com/lhycms/Deep_Learning_Notes
# expect: clean
# pitfall: none: the note's two fixes: the in-place op on a clone (a non-leaf), and on the leaf under torch.no_grad()
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

x2 = x.clone()  # clone the variable
x2 += 1  # in-place operation
print(x2)

with torch.no_grad():
    x += 1
    print(x)
    print(x.requires_grad)
print(x)
print(x.requires_grad)
