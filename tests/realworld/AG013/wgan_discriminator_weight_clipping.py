# source: https://github.com/eriklindernoren/PyTorch-GAN/blob/36d3c77e5ff20ebe0aeefd322326a134a279b93e/implementations/wgan/wgan.py
# expect: AG013
# pitfall: WGAN's weight clipping writes the critic's parameters through `.data` after the optimizer step
import argparse

import torch
import torch.nn as nn

opt = argparse.Namespace(latent_dim=8, clip_value=0.01, n_critic=5, img_size=4)
img_shape = (1, opt.img_size, opt.img_size)
generator = nn.Sequential(nn.Linear(opt.latent_dim, 16), nn.Tanh())
discriminator = nn.Sequential(nn.Linear(16, 8), nn.LeakyReLU(0.2), nn.Linear(8, 1))
optimizer_G = torch.optim.RMSprop(generator.parameters(), lr=0.00005)
optimizer_D = torch.optim.RMSprop(discriminator.parameters(), lr=0.00005)
dataloader = [torch.randn(4, 16) for _ in range(3)]

for i, imgs in enumerate(dataloader):
    real_imgs = imgs

    optimizer_D.zero_grad()

    # Sample noise as generator input
    z = torch.randn(imgs.shape[0], opt.latent_dim)

    # Generate a batch of images
    fake_imgs = generator(z).detach()
    # Adversarial loss
    loss_D = -torch.mean(discriminator(real_imgs)) + torch.mean(discriminator(fake_imgs))

    loss_D.backward()
    optimizer_D.step()

    # Clip weights of discriminator
    for p in discriminator.parameters():
        p.data.clamp_(-opt.clip_value, opt.clip_value)

    # Train the generator every n_critic iterations
    if i % opt.n_critic == 0:
        optimizer_G.zero_grad()
        gen_imgs = generator(z)
        loss_G = -torch.mean(discriminator(gen_imgs))
        loss_G.backward()
        optimizer_G.step()
