# source: https://pytroubles.com/ru/posts/id2658-gan-v-pytorch-ispravljaem-oshibku-backward-cherez-detach
# expect: AG004
# pitfall: n generator updates per discriminator step; the discriminator step is fed `fake_batch`, the tensor made in the generator loop, whose graph `g_loss.backward()` already freed, so d_loss.backward() raises "Trying to backward through the graph a second time" (the page's fix: `fake_batch.detach()`)
# The generator loop is the page's, verbatim; the discriminator step is written as the page
# describes it (its real and fake scores against ones and zeros); models and data are stubbed.
import torch
import torch.nn as nn

torch.manual_seed(0)
dev = "cpu"
latent_dim = 8
g_update_factor = 2
total_epochs = 1
netG = nn.Sequential(nn.Linear(latent_dim, 32), nn.ReLU(), nn.Linear(32, 784), nn.Tanh())
netD = nn.Sequential(nn.Linear(784, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1), nn.Sigmoid())
optG = torch.optim.Adam(netG.parameters(), lr=2e-4)
optD = torch.optim.Adam(netD.parameters(), lr=2e-4)
bce_loss = nn.BCELoss()
data_stream = [(torch.randn(4, 1, 28, 28), torch.zeros(4))]

for epoch in range(total_epochs):
    for batch_id, (real_batch, _) in enumerate(data_stream):
        real_batch = real_batch.view(-1, 784).to(dev)
        bsz = real_batch.shape[0]
        # generator updates (n times)
        for _ in range(g_update_factor):
            z = torch.randn(bsz, latent_dim).to(dev)
            fake_batch = netG(z)
            gen_scores = netD(fake_batch).view(-1)
            g_loss = bce_loss(gen_scores, torch.ones_like(gen_scores))
            g_loss.backward()
            optG.step()
            netG.zero_grad()
        # discriminator update
        real_scores = netD(real_batch).view(-1)
        fake_scores = netD(fake_batch).view(-1)
        d_loss = bce_loss(real_scores, torch.ones_like(real_scores)) + bce_loss(fake_scores, torch.zeros_like(fake_scores))
        d_loss.backward()
        optD.step()
        netD.zero_grad()
