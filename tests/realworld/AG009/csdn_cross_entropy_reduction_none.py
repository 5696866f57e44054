# source: https://blog.csdn.net/cyj972628089/article/details/122732509
# expect: AG009
# pitfall: the loss is built with CrossEntropyLoss(reduction='none'), so loss.backward() runs on one loss per sample
import torch
import torch.nn as nn

model = nn.Linear(10, 5)
inputs = torch.randn(8, 10)
labels = torch.randint(0, 5, (8,))

loss_fn = nn.CrossEntropyLoss(reduction='none')
loss = loss_fn(model(inputs), labels)
loss.backward()
