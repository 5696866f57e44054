# source: https://huaweicloud.csdn.net/63807a4edacf622b8df8896f.html
# expect: clean
# pitfall: look-alike of AG009: the per-sample loss is summed before backward (the article's fix)
import torch
import torch.nn as nn

model = nn.Linear(10, 5)
inputs = torch.randn(8, 10)
labels = torch.randint(0, 5, (8,))

loss_fn = nn.CrossEntropyLoss(reduction='none')
loss = loss_fn(model(inputs), labels)
loss.sum().backward()

mean_fn = nn.CrossEntropyLoss()
mean_loss = mean_fn(model(inputs), labels)
mean_loss.backward()
