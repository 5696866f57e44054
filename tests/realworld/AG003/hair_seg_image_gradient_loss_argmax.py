# source: https://github.com/wonbeomjang/mobile-hair-segmentation-pytorch/issues/3
# expect: AG003
# pitfall: ImageGradientLoss turns the prediction into pred.argmax(1).float(), so the loss it returns cannot be backpropagated
import torch
import torch.nn as nn
import torch.nn.functional as F


class ImageGradientLoss(nn.Module):
    def __init__(self):
        super(ImageGradientLoss, self).__init__()

    def forward(self, pred, gray_image):
        size = pred.size()
        pred = pred.argmax(1).view(size[0], 1, size[2], size[3]).float()
        kernel_x = torch.tensor([[[[1., 0., -1.], [2., 0., -2.], [1., 0., -1.]]]])
        kernel_y = kernel_x.transpose(2, 3)
        I_x = F.conv2d(gray_image, kernel_x, padding=1)
        M_x = F.conv2d(pred, kernel_x, padding=1)
        I_y = F.conv2d(gray_image, kernel_y, padding=1)
        M_y = F.conv2d(pred, kernel_y, padding=1)
        G = torch.sqrt(I_x.pow(2) + I_y.pow(2) + 1e-6)
        M_mag = torch.sqrt(M_x.pow(2) + M_y.pow(2) + 1e-6)
        return (M_mag * (1 - (I_x * M_x + I_y * M_y).div(G * M_mag + 1e-6).pow(2))).mean()


net = nn.Conv2d(3, 2, 3, padding=1)
image = torch.rand(2, 3, 8, 8)
gray_image = image.mean(1, keepdim=True)
pred = net(image)
loss = ImageGradientLoss()(pred, gray_image)
loss.backward()
