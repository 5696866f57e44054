# source: https://duoke360.com/post/34448
# expect: AG016
# pitfall: scenario 2 of the post: the optimizer is handed the model's output (a non-leaf) instead of model.parameters()
import torch

model = torch.nn.Linear(10, 5)
output = model(torch.randn(3, 10))

# 错误尝试:优化输出张量
optimizer = torch.optim.SGD([output], lr=0.1)  # ValueError!
