# source: https://codewithsundeep.com/discussion/solution/44913720
# expect: clean
# pitfall: none: `requires_grad = False` is set on parameters, which are leaves (the accepted answer to Stack Overflow question 44913720, as mirrored there); torchvision's resnet18 is replaced by a small stand-in with an `fc` head
import torch.nn as nn
import torch.optim as optim


class ResNetStandIn(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Linear(32, 512)
        self.fc = nn.Linear(512, 1000)

    def forward(self, x):
        return self.fc(self.features(x).relu())


model = ResNetStandIn()
for param in model.parameters():
    param.requires_grad = False
# Replace the last fully-connected layer
# Parameters of newly constructed modules have requires_grad=True by default
model.fc = nn.Linear(512, 100)
# Optimize only the classifier
optimizer = optim.SGD(model.fc.parameters(), lr=1e-2, momentum=0.9)
