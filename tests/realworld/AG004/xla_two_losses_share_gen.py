# source: https://github.com/pytorch/xla/issues/1961
# expect: AG004
# pitfall: two losses computed from the same generator output gen are backpropagated one after the other; the first backward frees gen's graph
import torch
import torch.nn as nn

generator = nn.Sequential(nn.Linear(4, 8), nn.Tanh())
critic = nn.Sequential(nn.Linear(8, 1))
opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3)
opt_c = torch.optim.Adam(critic.parameters(), lr=1e-3)
z = torch.randn(3, 4)
target = torch.randn(3, 8)

gen = generator(z)
loss_rec = (gen - target).pow(2).mean()
loss_rec.backward()
opt_g.step()
loss_c = critic(gen).mean()
loss_c.backward()
opt_c.step()
