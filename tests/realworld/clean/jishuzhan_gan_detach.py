# source: https://jishuzhan.net/article/1706211350813872129
# expect: clean
# pitfall: look-alike: the discriminator step uses G(...).detach() and the generator step makes a fresh fake, so every backward has its own graph
import torch
import torch.nn as nn
import torch.optim as optim


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()
        self.model = nn.Sequential(
            nn.Linear(10, 50),
            nn.ReLU(),
            nn.Linear(50, 1)
        )

    def forward(self, x):
        return self.model(x)


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.model = nn.Sequential(
            nn.Linear(1, 50),
            nn.ReLU(),
            nn.Linear(50, 1),
            nn.Sigmoid()
        )

    def forward(self, x):
        return self.model(x)


G = Generator()
D = Discriminator()

optimizer_G = optim.Adam(G.parameters(), lr=0.001)
optimizer_D = optim.Adam(D.parameters(), lr=0.001)
loss_func = nn.BCELoss()

for epoch in range(3):
    D.zero_grad()
    real_data = torch.randn(100, 1)
    real_labels = torch.ones(100, 1)
    fake_data = G(torch.randn(100, 10)).detach()
    fake_labels = torch.zeros(100, 1)

    real_loss = loss_func(D(real_data), real_labels)
    fake_loss = loss_func(D(fake_data), fake_labels)
    d_loss = real_loss + fake_loss
    d_loss.backward()
    optimizer_D.step()

    G.zero_grad()
    noise_data = torch.randn(100, 10)
    fake_data = G(noise_data)
    g_loss = loss_func(D(fake_data), real_labels)
    g_loss.backward()
    optimizer_G.step()
