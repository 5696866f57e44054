# source: https://github.com/INCHEON-CHO/Dynamic_Model_Pruning_with_Feedback/blob/337e4f88338247b08663464a4c4b97351cd863a2/models/resnet.py
# The model file as the repository has it (the ImageNet branches and the unused depth
# tables are left out).
import torch
import torch.nn as nn
import torch.nn.functional as F

class Shortcut(nn.Module):
    def __init__(self, in_planes, planes, expansion=1, kernel_size=1, stride=1, bias=False):
        super(Shortcut, self).__init__()
        self.conv1 = nn.Conv2d(in_planes, expansion*planes, kernel_size=kernel_size, stride=stride, bias=False)
        self.mask1 = nn.Conv2d(in_planes, expansion*planes, kernel_size=kernel_size, stride=stride, bias=False)
        self.mask1.weight.data = torch.ones(self.mask1.weight.size())
        self.bn1 = nn.BatchNorm2d(expansion*planes)

    def forward(self, x):
        self.conv1.weight.data = torch.mul(self.conv1.weight,  self.mask1.weight)
        return self.bn1(self.conv1(x))

    def __prune__(self, threshold):
        self.mask1.weight.data = torch.gt(torch.abs(self.conv1.weight), threshold).float()


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super(BasicBlock, self).__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.mask1 = nn.Conv2d(in_planes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.mask1.weight.data = torch.ones(self.mask1.weight.size())
        self.bn1   = nn.BatchNorm2d(planes)

        self.conv2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.mask2 = nn.Conv2d(planes, planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.mask2.weight.data = torch.ones(self.mask2.weight.size())
        self.bn2   = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()

        if stride != 1 or in_planes != self.expansion*planes:
            self.shortcut = Shortcut(in_planes, planes, self.expansion, kernel_size=1, stride=stride, bias=False)

    def forward(self, x):
        self.conv1.weight.data = torch.mul(self.conv1.weight,  self.mask1.weight)
        self.conv2.weight.data = torch.mul(self.conv2.weight,  self.mask2.weight)

        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out

    def __prune__(self, threshold):
        self.mask1.weight.data = torch.gt(torch.abs(self.conv1.weight), threshold).float()
        self.mask2.weight.data = torch.gt(torch.abs(self.conv2.weight), threshold).float()

        if isinstance(self.shortcut, Shortcut):
            self.shortcut.__prune__(threshold)


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, data='cifar10'):
        super(ResNet, self).__init__()
        self.in_planes = 16
        self.out_planes = 16
        self.num_classes = int(data[5:])
        self.conv1 = nn.Conv2d(3, self.out_planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.mask1 = nn.Conv2d(3, self.out_planes, kernel_size=3, stride=1, padding=1, bias=False)
        self.mask1.weight.data = torch.ones(self.mask1.weight.size())

        self.bn1 = nn.BatchNorm2d(self.out_planes)
        self.layer1 = self._make_layer(block, self.out_planes, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, self.out_planes * 2, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, self.out_planes * 4, num_blocks[2], stride=2)
        self.linear = nn.Linear(self.out_planes*4*block.expansion, self.num_classes)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1]*(num_blocks-1)
        layers = []
        for stride in strides:
            layers.append(block(self.in_planes, planes, stride))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        self.conv1.weight.data = torch.mul(self.conv1.weight,  self.mask1.weight)

        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = F.avg_pool2d(out, out.size(3))
        out = out.view(out.size(0), -1)
        out = self.linear(out)
        return out

    def __prune__(self, threshold):
        self.mask1.weight.data = torch.gt(torch.abs(self.conv1.weight), threshold).float()
        layers = [self.layer1, self.layer2, self.layer3]
        for layer in layers:
            for sub_block in layer:
                sub_block.__prune__(threshold)
