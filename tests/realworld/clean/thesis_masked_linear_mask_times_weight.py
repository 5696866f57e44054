# source: https://github.com/uni-carlosfranzreb/thesis_classifier/blob/b23eb0e96225aab7c594a446e6d66619378c823f/classifier/masked_linear.py
# expect: clean
# pitfall: none: unlike masked layers that do `self.weight.data *= self.mask` in forward, MaskedLinear multiplies out of place, `F.linear(input, self.mask * self.weight, self.bias)`, so the mask is part of the graph and the masked connections get zero gradient. The classifier around it and the training step are stand-ins
import torch
from torch.nn import Linear
from torch.nn import functional as F


class MaskedLinear(Linear):
  """ same as Linear except has a configurable mask on the weights """
  def __init__(self, mask, in_features, out_features, bias=True):
    super().__init__(in_features, out_features, bias)        
    self.mask = mask

  def forward(self, input):
    return F.linear(input, self.mask * self.weight, self.bias)


mask = (torch.rand(3, 5) > 0.5).float()
layer = MaskedLinear(mask, 5, 3)
optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
x = torch.randn(4, 5)
labels = torch.tensor([0, 2, 1, 2])
optimizer.zero_grad()
loss = F.cross_entropy(layer(x), labels)
loss.backward()
optimizer.step()
