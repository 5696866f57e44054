# source: https://github.com/jshe2304/molecular_attention_bias/blob/dd806bde86739076fcb035a3da37d84e4deae532/src/models/misc_modules.py
# expect: clean
# pitfall: none: PositiveLinear keeps its weights positive by parametrizing them, `nn.functional.linear(x, self.log_weight.exp())` inside forward, so the constraint is part of the graph and the gradient reaches `log_weight` through the exp (the look-alike of a forward that clamps `weight.data` in place). The module is the file's; the training step around it is added so a backward runs
import torch
import torch.nn as nn

class PositiveLinear(nn.Module):
    def __init__(self, in_features, out_features):
        super(PositiveLinear, self).__init__()
        
        self.in_features = in_features
        self.out_features = out_features
        self.log_weight = nn.Parameter(torch.Tensor(out_features, in_features))
        self.reset_parameters()

    def reset_parameters(self):
        nn.init.xavier_uniform_(self.log_weight)

    def forward(self, x):
        return nn.functional.linear(x, self.log_weight.exp())


layer = PositiveLinear(4, 3)
optimizer = torch.optim.SGD(layer.parameters(), lr=0.1)
x, y = torch.randn(8, 4), torch.randn(8, 3)
for _ in range(2):
    optimizer.zero_grad()
    loss = ((layer(x) - y) ** 2).mean()
    loss.backward()
    optimizer.step()
