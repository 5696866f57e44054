# source: https://github.com/mosaicml/composer/pull/1240
# expect: AG004
# pitfall: the trainer calls backward on each loss of a model's tuple of losses; they share the model's graph, so the second backward finds it freed
import torch
import torch.nn as nn


class TwoLossModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(8, 8)
        self.cls = nn.Linear(8, 3)
        self.reg = nn.Linear(8, 1)

    def forward(self, batch):
        x, y_cls, y_reg = batch
        h = torch.relu(self.encoder(x))
        return self.cls(h), self.reg(h)

    def loss(self, outputs, batch):
        _, y_cls, y_reg = batch
        logits, reg = outputs
        return (nn.functional.cross_entropy(logits, y_cls), nn.functional.mse_loss(reg, y_reg))


def _train_microbatch(model, optimizer, batch):
    outputs = model(batch)
    loss = model.loss(outputs, batch)
    if isinstance(loss, torch.Tensor):
        loss.backward()
    else:
        for loss_item in loss:
            loss_item.backward()
    optimizer.step()
    optimizer.zero_grad()


model = TwoLossModel()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
batch = (torch.randn(4, 8), torch.randint(0, 3, (4,)), torch.randn(4, 1))
_train_microbatch(model, optimizer, batch)
