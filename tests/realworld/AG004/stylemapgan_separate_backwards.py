# source: https://github.com/naver-ai/StyleMapGAN/issues/16
# expect: AG004
# pitfall: the generator step calls backward on g_loss and then on w_rec_loss; both come from one model call and share its saved tensors
import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Linear(8, 8)
        self.generator = nn.Linear(8, 8)
        self.discriminator = nn.Linear(8, 1)

    def forward(self, real_img, mode):
        if mode == "G":
            stylecode = torch.tanh(self.encoder(real_img))
            fake_img = torch.tanh(self.generator(stylecode))
            fake_pred = self.discriminator(fake_img)
            adv_loss = nn.functional.softplus(-fake_pred)
            fake_stylecode = torch.tanh(self.encoder(fake_img))
            w_rec_loss = (fake_stylecode - stylecode).pow(2)
            return adv_loss, w_rec_loss, stylecode


class Args:
    lambda_adv_loss = 1.0
    lambda_w_rec_loss = 1.0


args = Args()
model = Model()
g_optim = torch.optim.Adam(list(model.encoder.parameters()) + list(model.generator.parameters()), lr=2e-3)
real_img = torch.randn(4, 8)

adv_loss, w_rec_loss, stylecode = model(real_img, "G")
adv_loss = adv_loss.mean()
w_rec_loss = w_rec_loss.mean()
g_loss = adv_loss * args.lambda_adv_loss

g_optim.zero_grad()
g_loss.backward()
(w_rec_loss * args.lambda_w_rec_loss).backward()
g_optim.step()
