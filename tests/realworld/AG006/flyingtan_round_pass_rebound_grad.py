# source: https://github.com/flyingTan/DeepLearningJupyter
# expect: AG006
# pitfall: a = 2 * a rebinds a to a non-leaf, so print(a.grad) after the backward shows None (torch warns); the gradient went to the original leaf
import torch


# cutoff backward by detach
def round_pass(x):
    y = x.round()
    y_grad = x
    return y.detach() - y_grad.detach() + y_grad

a = torch.tensor([1, 2, 4.5], requires_grad = True)
a = 2 * a
m = round_pass(a)
m.sum().backward()
print(a,'\n',a.grad)

print("*"*60)
x = torch.tensor([1, 2, 4.5], requires_grad = True)
y = torch.tensor([1, 2, 4.5], requires_grad = True)
z = round_pass(x) + y
z.sum().backward()
print('{0:<7}'.format("z:"), x)
print('{0:<7}'.format("x.grad:"), x.grad)
print('{0:<7}'.format("y.grad:"), x.grad)
