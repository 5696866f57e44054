# source: https://github.com/Atreya95/Learning-with-memory-device-imperfections/blob/HEAD/ConvNet/binarized_modules.py
# expect: AG001
# pitfall: BinarizeLinear.forward overwrites its input (another layer's output, in the graph) through input.data and rewrites the parameter through self.weight.data
import torch
import torch.nn as nn


def Binarize(tensor):
    return tensor.sign()


class BinarizeLinear(nn.Linear):

    def __init__(self, *kargs, **kwargs):
        super(BinarizeLinear, self).__init__(*kargs, **kwargs)

    def forward(self, input):

        if input.size(1) != 784:
            input.data = Binarize(input.data)
        if not hasattr(self.weight, 'org'):
            self.weight.org = self.weight.data.clone()
        self.weight.data = Binarize(self.weight.org)
        out = nn.functional.linear(input, self.weight)
        if not self.bias is None:
            self.bias.org = self.bias.data.clone()
            out += self.bias.view(1, -1).expand_as(out)

        return out


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.fc1 = BinarizeLinear(784, 32)
        self.htanh1 = nn.Hardtanh()
        self.fc2 = BinarizeLinear(32, 10)

    def forward(self, x):
        x = x.view(-1, 28 * 28)
        x = self.fc1(x)
        x = self.htanh1(x)
        x = self.fc2(x)
        return x


model = Net()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
data = torch.randn(4, 1, 28, 28)
target = torch.randint(0, 10, (4,))
for step in range(2):
    optimizer.zero_grad()
    output = model(data)
    loss = criterion(output, target)
    loss.backward()
    for p in list(model.parameters()):
        if hasattr(p, 'org'):
            p.data.copy_(p.org)
    optimizer.step()
    for p in list(model.parameters()):
        if hasattr(p, 'org'):
            p.org.copy_(p.data.clamp_(-1, 1))
