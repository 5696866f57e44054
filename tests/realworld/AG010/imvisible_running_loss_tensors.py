# source: https://github.com/samuelyu2002/ImVisible/issues/2
# expect: AG010
# pitfall: running_loss += loss (and the MSE / cross-entropy terms) adds the loss tensors, keeping every batch's graph alive until RAM runs out; the fix is += loss.item()
import torch
import torch.nn as nn
import torch.nn.functional as F

model = nn.Linear(6, 5)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loader = [(torch.randn(4, 6), torch.rand(4, 4), torch.randint(0, 1, (4,))) for _ in range(3)]

running_loss = 0.0
running_loss_MSE = 0.0
running_loss_cross_entropy = 0.0
for i, (images, points, labels) in enumerate(loader):
    optimizer.zero_grad()
    out = model(images)
    MSE = F.mse_loss(out[:, :4], points)
    cross_entropy = F.cross_entropy(out[:, 4:], labels)
    loss = MSE + cross_entropy
    loss.backward()
    optimizer.step()
    running_loss += loss
    running_loss_MSE += MSE
    running_loss_cross_entropy += cross_entropy
print(running_loss / len(loader))
