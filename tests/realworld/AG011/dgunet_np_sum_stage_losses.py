# source: https://github.com/MC-E/Deep-Generalized-Unfolding-Networks-for-Image-Restoration/blob/26ad5d3a619798b10df9e8ec1c9232f2c95ed939/Deblurring/train_plus.py
# expect: AG011
# pitfall: the per-stage losses are summed with numpy, `np.sum([criterion_char(restored[j],target) for j in range(len(restored))])`: numpy converts each 0-d loss tensor to an array, which torch refuses for a tensor that requires grad (on CUDA the reporter got "can't convert cuda:0 device type tensor to numpy", https://github.com/MC-E/Deep-Generalized-Unfolding-Networks-for-Image-Restoration/issues/6). DGUNet is replaced by two refinement stages, the losses module by its CharbonnierLoss and a Laplacian stand-in for its EdgeLoss, the loaders by one batch
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class CharbonnierLoss(nn.Module):
    """Charbonnier Loss (L1)"""

    def __init__(self, eps=1e-3):
        super(CharbonnierLoss, self).__init__()
        self.eps = eps

    def forward(self, x, y):
        diff = x - y
        loss = torch.mean(torch.sqrt((diff * diff) + (self.eps*self.eps)))
        return loss


class EdgeLoss(nn.Module):
    def __init__(self):
        super(EdgeLoss, self).__init__()
        k = torch.tensor([[0., 1., 0.], [1., -4., 1.], [0., 1., 0.]])
        self.kernel = k.view(1, 1, 3, 3).repeat(3, 1, 1, 1)
        self.loss = CharbonnierLoss()

    def laplacian(self, img):
        return F.conv2d(img, self.kernel, padding=1, groups=3)

    def forward(self, x, y):
        return self.loss(self.laplacian(x), self.laplacian(y))


class TwoStageStub(nn.Module):
    def __init__(self):
        super().__init__()
        self.stage1 = nn.Conv2d(3, 3, 3, padding=1)
        self.stage2 = nn.Conv2d(3, 3, 3, padding=1)

    def forward(self, x):
        s1 = x + self.stage1(x)
        s2 = s1 + self.stage2(s1)
        return [s2, s1]


model_restoration = TwoStageStub()
optimizer = torch.optim.Adam(model_restoration.parameters(), lr=2e-4)

######### Loss ###########
criterion_char = CharbonnierLoss()
criterion_edge = EdgeLoss()

train_loader = [(torch.rand(2, 3, 16, 16), torch.rand(2, 3, 16, 16))]

for epoch in range(1, 2):
    epoch_loss = 0

    model_restoration.train()
    for i, data in enumerate(train_loader, 0):

        # zero_grad
        for param in model_restoration.parameters():
            param.grad = None

        target = data[0]
        input_ = data[1]

        restored = model_restoration(input_)
 
        # Compute loss at each stage
        loss_char = np.sum([criterion_char(restored[j],target) for j in range(len(restored))])
        loss_edge = np.sum([criterion_edge(restored[j],target) for j in range(len(restored))])
        loss = (loss_char) + (0.05*loss_edge)
       
        loss.backward()
        optimizer.step()
        epoch_loss +=loss.item()
