# source: https://github.com/christiancosgrove/pytorch-spectral-normalization-gan/blob/1d5c36d3371cae68c40129f39b2c12995080633c/spectral_normalization.py
# expect: AG001
# pitfall: SpectralNorm._update_u_v rewrites u and v through .data on every forward; the hinge loss calls the discriminator twice before one backward, so the first call's saved u is overwritten and its gradient is silently computed with the second call's u
import torch
from torch import nn
from torch.nn import Parameter


def l2normalize(v, eps=1e-12):
    return v / (v.norm() + eps)


class SpectralNorm(nn.Module):
    def __init__(self, module, name='weight', power_iterations=1):
        super(SpectralNorm, self).__init__()
        self.module = module
        self.name = name
        self.power_iterations = power_iterations
        # the stored snapshot reads `if self._made_params():`, which never builds the parameters
        if not self._made_params():
            self._make_params()

    def _update_u_v(self):
        u = getattr(self.module, self.name + "_u")
        v = getattr(self.module, self.name + "_v")
        w = getattr(self.module, self.name + "_bar")

        height = w.data.shape[0]
        for _ in range(self.power_iterations):
            v.data = l2normalize(torch.mv(torch.t(w.view(height,-1).data), u.data))
            u.data = l2normalize(torch.mv(w.view(height,-1).data, v.data))

        # sigma = torch.dot(u.data, torch.mv(w.view(height,-1).data, v.data))
        sigma = u.dot(w.view(height, -1).mv(v))
        setattr(self.module, self.name, w / sigma.expand_as(w))

    def _made_params(self):
        try:
            u = getattr(self.module, self.name + "_u")
            v = getattr(self.module, self.name + "_v")
            w = getattr(self.module, self.name + "_bar")
            return True
        except AttributeError:
            return False

    def _make_params(self):
        w = getattr(self.module, self.name)

        height = w.data.shape[0]
        width = w.view(height, -1).data.shape[1]

        u = Parameter(w.data.new(height).normal_(0, 1), requires_grad=False)
        v = Parameter(w.data.new(width).normal_(0, 1), requires_grad=False)
        u.data = l2normalize(u.data)
        v.data = l2normalize(v.data)
        w_bar = Parameter(w.data)

        del self.module._parameters[self.name]

        self.module.register_parameter(self.name + "_u", u)
        self.module.register_parameter(self.name + "_v", v)
        self.module.register_parameter(self.name + "_bar", w_bar)

    def forward(self, *args):
        self._update_u_v()
        return self.module.forward(*args)


torch.manual_seed(0)
discriminator = nn.Sequential(SpectralNorm(nn.Linear(6, 4)), nn.LeakyReLU(0.1), nn.Linear(4, 1))
generator = nn.Sequential(nn.Linear(3, 6), nn.Tanh())
optim_disc = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.0, 0.9))
data = torch.randn(5, 6)
z = torch.randn(5, 3)

optim_disc.zero_grad()
disc_loss = nn.ReLU()(1.0 - discriminator(data)).mean() + nn.ReLU()(1.0 + discriminator(generator(z))).mean()
disc_loss.backward()
optim_disc.step()
