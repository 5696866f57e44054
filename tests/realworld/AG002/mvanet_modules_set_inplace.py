# source: https://github.com/qianyu-dlut/MVANet/issues/2
# expect: AG002
# pitfall: a loop over self.modules() sets inplace=True on every ReLU and Dropout; the in-place Dropout then overwrites the ReLU output that ReluBackward0 saved
import torch
import torch.nn as nn


class MVANetHead(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.proj = nn.Linear(dim, dim)
        self.activation = nn.ReLU()
        self.dropout = nn.Dropout(0.1)
        self.out = nn.Linear(dim, 1)
        for m in self.modules():
            if isinstance(m, nn.ReLU) or isinstance(m, nn.Dropout):
                m.inplace = True

    def forward(self, x):
        x = self.proj(x)
        x = self.activation(x)
        x = self.dropout(x)
        return self.out(x)


model = MVANetHead()
model.train()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-5)
x = torch.randn(4, 16)
target = torch.rand(4, 1)
pred = model(x)
loss = nn.functional.binary_cross_entropy_with_logits(pred, target)
optimizer.zero_grad()
loss.backward()
optimizer.step()
