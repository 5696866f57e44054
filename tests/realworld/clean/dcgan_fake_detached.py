# source: https://github.com/pytorch/examples/issues/116
# expect: clean
# pitfall: look-alike: the DCGAN example feeds fake.detach() to the discriminator step, so errG.backward() still has the generator's graph
import torch
import torch.nn as nn
import torch.optim as optim

nz = 4
netG = nn.Sequential(nn.Linear(nz, 16), nn.Tanh(), nn.Linear(16, 8), nn.Tanh())
netD = nn.Sequential(nn.Linear(8, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1), nn.Sigmoid())
criterion = nn.BCELoss()
optimizerD = optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
real_label = 1
fake_label = 0

for i in range(2):
    real_cpu = torch.randn(4, 8)
    batch_size = real_cpu.size(0)
    netD.zero_grad()
    label = torch.full((batch_size,), real_label, dtype=torch.float)
    output = netD(real_cpu).view(-1)
    errD_real = criterion(output, label)
    errD_real.backward()

    noise = torch.randn(batch_size, nz)
    fake = netG(noise)
    label.fill_(fake_label)
    output = netD(fake.detach()).view(-1)
    errD_fake = criterion(output, label)
    errD_fake.backward()
    optimizerD.step()

    netG.zero_grad()
    label.fill_(real_label)
    output = netD(fake).view(-1)
    errG = criterion(output, label)
    errG.backward()
    optimizerG.step()
