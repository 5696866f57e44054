# source: https://whosebug.com/question/5232549/How-does-PyTorch-s-loss-backward-work-when-retain-graph-True-is-specified (Stack Overflow question, mirrored)
# expect: AG004
# pitfall: the generator is updated first (`loss_g.backward()`), then `loss_d.backward()` runs on a discriminator loss computed on the same generated batch without detach: it backpropagates through the generator's graph a second time and raises
# The update code is the question's; how loss_g and loss_d are computed ("# computing loss_g
# and loss_d...") is written the usual way for this order: one generated batch fed to both.
import torch
import torch.nn as nn

torch.manual_seed(0)
generator = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 8), nn.Tanh())
discriminator = nn.Sequential(nn.Linear(8, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1), nn.Sigmoid())
optim_g = torch.optim.Adam(generator.parameters(), lr=2e-4)
optim_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4)
criterion = nn.BCELoss()
real = torch.randn(6, 8)
z = torch.randn(6, 4)
ones, zeros = torch.ones(6, 1), torch.zeros(6, 1)

# computing loss_g and loss_d...
fake = generator(z)
loss_g = criterion(discriminator(fake), ones)
loss_d = criterion(discriminator(real), ones) + criterion(discriminator(fake), zeros)

optim_g.zero_grad()
loss_g.backward()
optim_g.step()

optim_d.zero_grad()
loss_d.backward()
optim_d.step()
