# source: https://github.com/huggingface/torchMoji/issues/21
# expect: AG008
# pitfall: the model returns `outputs.data` for tensor inputs, so the loss has no graph; `loss = Variable(loss, requires_grad=True)` silences the backward error and the loss never goes down (the model is reduced to its output layer)
import torch
import torch.nn as nn
from torch.autograd import Variable


class TorchMoji(nn.Module):
    def __init__(self, nb_features=8, nb_classes=2):
        super().__init__()
        self.output_layer = nn.Sequential(nn.Linear(nb_features, nb_classes))

    def forward(self, input_seqs):
        outputs = self.output_layer(input_seqs)
        # Adapt return format if needed (input_seqs was a tensor)
        outputs = outputs.data
        return outputs


model = TorchMoji()
loss_op = nn.BCEWithLogitsLoss()
optim = torch.optim.Adam(model.parameters(), lr=1e-3)
X = torch.randn(4, 8)
y = torch.rand(4, 2)

model.train()
optim.zero_grad()
output = model(X)
loss = loss_op(output, y)
loss = Variable(loss, requires_grad=True)
loss.backward()
optim.step()
