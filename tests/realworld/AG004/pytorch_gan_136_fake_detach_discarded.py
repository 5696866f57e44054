# source: https://github.com/eriklindernoren/PyTorch-GAN/issues/136
# expect: AG004, AG012
# pitfall: the comment's "first way" to alternate the WGAN updates calls `fake.detach()  # add detach() so the backward() will NOT change the weights of G` as a statement: the detached copy is thrown away, so `loss_d.backward()` runs through G and frees its graph, and `loss_g.backward()` then walks into it again. The comment's lines are verbatim; G, D (a critic returning its mean score), z, real and the two optimizers are stand-ins
import torch
import torch.nn as nn

G = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))


class Critic(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))

    def forward(self, x):
        return self.net(x).mean()


D = Critic()
optimizerD = torch.optim.Adam(D.parameters(), lr=1e-4)
optimizerG = torch.optim.Adam(G.parameters(), lr=1e-4)
z = torch.randn(6, 8)
real = torch.randn(6, 4)

# update D
fake = G(z)
fake.detach()  # add detach() so the backward() will NOT change the weights of G
loss_d = D(fake) - D(real)
loss_d.backward()
optimizerD.step()  # update the weights of D

# then update G
loss_g = -D(fake)
loss_g.backward()
optimizerG.step()  # update the weights of G
