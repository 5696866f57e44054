# source: https://github.com/eriklindernoren/PyTorch-GAN/blob/36d3c77e5ff20ebe0aeefd322326a134a279b93e/implementations/cluster_gan/clustergan.py
# expect: AG013
# pitfall: the weight initializer writes each layer's weight and bias through `.data` (torch.nn.init under no_grad is the supported way)
import torch
import torch.nn as nn


# Weight Initializer
def initialize_weights(net):
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            m.weight.data.normal_(0, 0.02)
            m.bias.data.zero_()
        elif isinstance(m, nn.ConvTranspose2d):
            m.weight.data.normal_(0, 0.02)
            m.bias.data.zero_()
        elif isinstance(m, nn.Linear):
            m.weight.data.normal_(0, 0.02)
            m.bias.data.zero_()


class Encoder_CNN(nn.Module):
    def __init__(self, latent_dim=4):
        super(Encoder_CNN, self).__init__()
        self.model = nn.Sequential(
            nn.Conv2d(1, 4, 3, stride=2, bias=True),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Flatten(),
            nn.Linear(4 * 3 * 3, latent_dim),
        )
        initialize_weights(self)

    def forward(self, in_feat):
        return self.model(in_feat)


encoder = Encoder_CNN()
imgs = torch.randn(2, 1, 8, 8)
loss = encoder(imgs).pow(2).mean()
loss.backward()
