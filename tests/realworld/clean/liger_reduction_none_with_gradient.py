# source: https://github.com/linkedin/Liger-Kernel/pull/435
# expect: clean
# pitfall: look-alike of AG009: a reduction="none" loss, but backward gets an explicit gradient of ones
import torch
import torch.nn as nn

logits = torch.randn(8, 5, requires_grad=True)
target = torch.randint(0, 5, (8,))
loss_fn = nn.CrossEntropyLoss(reduction="none")
output = loss_fn(logits, target)
output.backward(gradient=torch.ones_like(output))
print(logits.grad.shape)
