# source: https://github.com/ajhamdi/MVTN/blob/0ad7e11016299815176c5f0575c65280ad874be4/ops.py
# expect: clean
# pitfall: none: `test_point_network` adds each batch's loss tensor to `total_loss` in a loop that never backpropagates, but the whole batch body runs under `with torch.no_grad():`, so the losses carry no graph and nothing is kept alive (https://github.com/ajhamdi/MVTN/issues/2 was about a training loop's sum). The `.cuda()` moves are dropped (the ground truth runs on the CPU); the point network is a linear classifier that returns logits, features and a transform, the data loader a list of batches, tqdm a pass-through
import torch
import torch.nn as nn
from torch.autograd import Variable


class PointStub(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(3, 4)

    def forward(self, points):
        features = points.mean(2)
        return self.fc(features), features, None


def test_point_network(model, criterion, data_loader):
    total = 0.0
    correct = 0.0
    total_loss = 0.0
    n = 0
    tqdm = lambda loader: loader
    for i, (targets, _, points, _) in enumerate(tqdm(data_loader)):
        with torch.no_grad():
            points = points.transpose(1, 2)
            targets = targets
            targets = Variable(targets)

            logits, shape_features, trans = model(points)
            loss = criterion(logits, targets)

            total_loss += loss
            n += 1
            _, predicted = torch.max(logits.data, 1)
            total += targets.size(0)
            correct += (predicted.cpu() == targets.cpu()).sum()

    avg_test_acc = 100 * correct / total
    avg_loss = total_loss / n

    return avg_test_acc, avg_loss


model = PointStub()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
data_loader = [(torch.randint(0, 4, (2,)), None, torch.randn(2, 16, 3), None) for _ in range(3)]
avg_test_acc, avg_loss = test_point_network(model, criterion, data_loader)
