# source: https://github.com/pytorch/examples/issues/584
# expect: AG004
# pitfall: the issue proposes to "re-use the output of the first inference (with fake input) to calculate errG" instead of running netD on `fake` again; that output came from `netD(fake.detach())` and `errD_fake.backward()` already freed its graph, so `errG.backward()` tries to backward through it a second time (and could never reach netG anyway). dcgan/main.py's loop at 1de2ff9 with the second `output = netD(fake)` removed as proposed; the generator and discriminator are small stand-ins, the dataloader one batch of random images, the labels floats as in the current example
import torch
import torch.nn as nn
import torch.optim as optim

device = torch.device("cpu")
nz = 8
real_label = 1.
fake_label = 0.

netG = nn.Sequential(nn.ConvTranspose2d(nz, 3, 4, 1, 0, bias=False), nn.Tanh())
netD = nn.Sequential(nn.Conv2d(3, 1, 4, 1, 0, bias=False), nn.Sigmoid(), nn.Flatten(0))
criterion = nn.BCELoss()
optimizerD = optim.Adam(netD.parameters(), lr=0.0002, betas=(0.5, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=0.0002, betas=(0.5, 0.999))
dataloader = [(torch.rand(4, 3, 4, 4) * 2 - 1, None)]

for epoch in range(1):
    for i, data in enumerate(dataloader, 0):
        ############################
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        ###########################
        # train with real
        netD.zero_grad()
        real_cpu = data[0].to(device)
        batch_size = real_cpu.size(0)
        label = torch.full((batch_size,), real_label, device=device)

        output = netD(real_cpu)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()

        # train with fake
        noise = torch.randn(batch_size, nz, 1, 1, device=device)
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach())
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        optimizerD.step()

        ############################
        # (2) Update G network: maximize log(D(G(z)))
        ###########################
        netG.zero_grad()
        label.fill_(real_label)  # fake labels are real for generator cost
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        optimizerG.step()
