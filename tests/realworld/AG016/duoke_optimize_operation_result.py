# source: https://duoke360.com/post/34448
# expect: AG016
# pitfall: scenario 1 of the post: y = x * 2 is the result of an operation (a non-leaf); SGD([y]) raises "can't optimize a non-leaf Tensor"
import torch

# 创建叶子张量
x = torch.randn(3, 3, requires_grad=True)

# 进行运算得到非叶子张量
y = x * 2

# 尝试优化y会报错
optimizer = torch.optim.SGD([y], lr=0.1)  # ValueError!
