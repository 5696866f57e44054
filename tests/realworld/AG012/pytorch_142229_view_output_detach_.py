# source: https://github.com/pytorch/pytorch/issues/142229
# expect: AG012
# pitfall: the stage's output is x.view(...); the pipeline frees it after backward with output.detach_(), which raises on a view
import torch
import torch.nn as nn


class ViewModel(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


model = ViewModel()
x = torch.randn(4, 3, requires_grad=True)
output = model(x)
loss = nn.functional.mse_loss(output, torch.randn(4, 3))
loss.backward()
# torch.distributed.pipelining: free the stage output once its backward is done
output.detach_()
