# source: https://duoke360.com/post/34448
# expect: AG016
# pitfall: scenario 3 of the post: the leaves are processed (p * 2) and the optimizer is built from the processed copies, which are non-leaves
import torch

# 创建一组可优化参数
params = [torch.randn(3, 3, requires_grad=True) for _ in range(5)]

# 进行一些运算
processed_params = [p * 2 for p in params]

# 错误尝试:优化处理后的参数
optimizer = torch.optim.Adam(processed_params)  # ValueError!
