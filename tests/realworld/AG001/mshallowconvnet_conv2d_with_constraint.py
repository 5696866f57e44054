# source: https://github.com/comojin1994/m-shallowconvnet/blob/6a8e37d869283844a07c35463193571f2f8c8666/model/mshallowconvnet.py
# expect: AG001
# pitfall: both convolutions of MShallowConvNet are model/layers.py's Conv2dWithConstraint, whose forward does `self.weight.data = torch.renorm(self.weight.data, ...)`: each forward rewrites the two parameters outside autograd. The repository's LazyLinearWithConstraint classifier (its forward calls `self(x)`) is replaced by nn.LazyLinear, the Lightning module by one training step
import torch
import torch.nn as nn


class Conv2dWithConstraint(nn.Conv2d):
    def __init__(self, *args, max_norm=1, **kwargs):
        super(Conv2dWithConstraint, self).__init__(*args, **kwargs)
        self.max_norm = max_norm


    def forward(self, x):
        self.weight.data = torch.renorm(
            self.weight.data, p=2, dim=0, maxnorm=self.max_norm
        )
        return super(Conv2dWithConstraint, self).forward(x)


class MShallowConvNet(nn.Module):
    def __init__(self,
                num_channels: int,
                sampling_rate: int,
                dropout_rate: float=0.5):
        super(MShallowConvNet, self).__init__()
    
        kernel_size = int(sampling_rate * 0.12)
        
        pooling_size = 0.3
        hop_size = 0.7
        pooling_kernel_size = int(sampling_rate * pooling_size)
        pooling_stride_size = int(sampling_rate * pooling_size * (1 - hop_size))
        
        depth = 24
        self.temporal_conv = Conv2dWithConstraint(1, depth, kernel_size=[1, kernel_size], padding='same', max_norm=2.)
        self.spatial_conv = Conv2dWithConstraint(depth, depth, kernel_size=[num_channels, 1], padding='valid', max_norm=2.)
        self.bn = nn.BatchNorm2d(depth)
        self.avg_pool = nn.AvgPool2d(kernel_size=[1, pooling_kernel_size], stride=[1, pooling_stride_size])
        self.flatten = nn.Flatten()
        self.dropout = nn.Dropout(p=dropout_rate)
        
    
    def forward(self, x):
        x = self.temporal_conv(x)
        x = self.spatial_conv(x)
        x = torch.square(x)
        x = self.avg_pool(x)
        x = torch.log(torch.clamp(x, min=1e-06))
        x = self.bn(x)
        
        x = self.dropout(x)
        x = self.flatten(x)
        return x


class Net(nn.Module):   
    def __init__(self,
                num_classes: int,
                num_channels: int,
                sampling_rate: int):
        super(Net, self).__init__()

        self.backbone = MShallowConvNet(num_channels=num_channels,
                                        sampling_rate=sampling_rate)

        self.classifier = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_classes))

    def forward(self, x):
        x = self.backbone(x)
        x = self.classifier(x)
        return x


model = Net(num_classes=4, num_channels=3, sampling_rate=50)
x = torch.randn(2, 1, 3, 100)
y = torch.tensor([0, 3])
model(x)  # materialize the lazy classifier
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
optimizer.zero_grad()
loss = nn.functional.cross_entropy(model(x), y)
loss.backward()
optimizer.step()
