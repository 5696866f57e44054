# source: https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix/issues/388
# expect: clean
# pitfall: look-alike: backward_D_basic detaches the generated image, so the generator step that follows has its own intact graph
import torch
import torch.nn as nn


class GANLoss(nn.Module):
    def __init__(self):
        super().__init__()
        self.loss = nn.MSELoss()

    def __call__(self, prediction, target_is_real):
        target = torch.ones_like(prediction) if target_is_real else torch.zeros_like(prediction)
        return self.loss(prediction, target)


class CycleGANModel:
    def __init__(self):
        self.netG_A = nn.Sequential(nn.Conv2d(3, 3, 3, padding=1), nn.Tanh())
        self.netD_A = nn.Sequential(nn.Conv2d(3, 1, 3, padding=1))
        self.criterionGAN = GANLoss()
        self.optimizer_G = torch.optim.Adam(self.netG_A.parameters(), lr=2e-4)
        self.optimizer_D = torch.optim.Adam(self.netD_A.parameters(), lr=2e-4)

    def set_input(self, real_A, real_B):
        self.real_A = real_A
        self.real_B = real_B

    def forward(self):
        self.fake_B = self.netG_A(self.real_A)

    def backward_D_basic(self, netD, real, fake):
        # Real
        pred_real = netD(real)
        loss_D_real = self.criterionGAN(pred_real, True)
        # Fake
        pred_fake = netD(fake.detach())
        loss_D_fake = self.criterionGAN(pred_fake, False)
        # Combined loss
        loss_D = (loss_D_real + loss_D_fake) * 0.5
        # backward
        loss_D.backward()
        return loss_D

    def backward_G(self):
        self.loss_G_A = self.criterionGAN(self.netD_A(self.fake_B), True)
        self.loss_G_A.backward()

    def optimize_parameters(self):
        self.forward()
        self.optimizer_G.zero_grad()
        self.backward_G()
        self.optimizer_G.step()
        self.optimizer_D.zero_grad()
        self.loss_D_A = self.backward_D_basic(self.netD_A, self.real_B, self.fake_B)
        self.optimizer_D.step()


model = CycleGANModel()
for _ in range(2):
    model.set_input(torch.randn(1, 3, 8, 8), torch.randn(1, 3, 8, 8))
    model.optimize_parameters()
