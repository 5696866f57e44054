# source: https://github.com/Hsintien-Ng/idinvert_pytorch-reproduced/issues/1
# expect: AG015
# pitfall: training_loop_encoder.py zeroes optimizer_E every step but never optimizer_D: D_loss.backward() / optimizer_D.step() each step with the discriminator's gradients adding up (fixed by the author)
import torch
import torch.nn as nn
import torch.nn.functional as F


def GAN_loss(scores_out, real=True):
    if real:
        return torch.mean(F.softplus(-scores_out))
    else:
        return torch.mean(F.softplus(scores_out))


E = nn.Linear(8, 4)           # encoder
G = nn.Linear(4, 8)           # generator synthesis (kept fixed)
D = nn.Linear(8, 1)           # discriminator
for p in G.parameters():
    p.requires_grad_(False)
optimizer_E = torch.optim.Adam(E.parameters(), lr=1e-4)
optimizer_D = torch.optim.Adam(D.parameters(), lr=1e-4)
train_dataloader = [torch.randn(2, 8) for _ in range(3)]
loss_real_weight, loss_fake_weight, loss_pix_weight, loss_adv_weight = 1.0, 1.0, 1.0, 0.1

for epoch in range(2):
    D_loss_real = 0.
    D_loss_fake = 0.
    E_loss_rec = 0.
    for step, items in enumerate(train_dataloader):
        x = items
        z = E(x)
        x_rec = G(z)

        # ===============================
        #         optimizing D
        # ===============================
        x_real = D(x)
        x_fake = D(x_rec.detach())
        loss_real = GAN_loss(x_real, real=True)
        loss_fake = GAN_loss(x_fake, real=False)
        D_loss_real += loss_real.item()
        D_loss_fake += loss_fake.item()
        D_loss = loss_real_weight * loss_real + loss_fake_weight * loss_fake
        D_loss.backward()
        optimizer_D.step()

        # ===============================
        #         optimizing G
        # ===============================
        loss_pix = torch.mean((x - x_rec) ** 2)
        E_loss_rec += loss_pix.item()
        x_adv = D(x_rec)
        loss_adv = GAN_loss(x_adv, real=True)
        E_loss = loss_pix_weight * loss_pix + loss_adv_weight * loss_adv
        optimizer_E.zero_grad()
        E_loss.backward()
        optimizer_E.step()
