# source: https://github.com/INCHEON-CHO/Dynamic_Model_Pruning_with_Feedback/issues/1
# expect: AG001
# pitfall: every forward writes `self.conv1.weight.data = torch.mul(self.conv1.weight, self.mask1.weight)`: the masked product (a graph over two parameters) replaces the dense weights behind autograd's back, so pruned weights are lost for good and the mask layers never get a gradient (the author: "I also found the problem in line 146")
# The training step follows train.py (prune, forward, cross entropy, backward, step); the
# data loader and the pruning schedule are stubbed.
import torch
import torch.nn as nn

from resnet import BasicBlock, ResNet

torch.manual_seed(0)
model = ResNet(BasicBlock, [1, 1, 1], 'cifar10')
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
criterion = nn.CrossEntropyLoss()
images, target = torch.randn(4, 3, 8, 8), torch.randint(0, 10, (4,))

model.__prune__(0.05)
output = model(images)
loss = criterion(output, target)
optimizer.zero_grad()
loss.backward()
optimizer.step()
