# source: https://github.com/mk-minchul/AdaFace/blob/9cb981642eb7b579487bfadb0ee9ad8fc3772b74/head.py
# expect: clean
# pitfall: look-alike: the head initialises its kernel in __init__ through self.kernel.data.uniform_(...).renorm_(...).mul_(...); forward normalises out of place
import torch
from torch.nn import Module, Parameter


def l2_norm(input, axis=1):
    norm = torch.norm(input, 2, axis, True)
    output = torch.div(input, norm)
    return output


class AdaFace(Module):
    def __init__(self,
                 embedding_size=512,
                 classnum=10575,
                 m=0.4,
                 h=0.333,
                 s=64.,
                 t_alpha=1.0,
                 ):
        super(AdaFace, self).__init__()
        self.classnum = classnum
        self.kernel = Parameter(torch.Tensor(embedding_size, classnum))

        # initial kernel
        self.kernel.data.uniform_(-1, 1).renorm_(2, 1, 1e-5).mul_(1e5)
        self.m = m
        self.eps = 1e-3
        self.h = h
        self.s = s

        # ema prep
        self.t_alpha = t_alpha
        self.register_buffer('t', torch.zeros(1))
        self.register_buffer('batch_mean', torch.ones(1) * (20))
        self.register_buffer('batch_std', torch.ones(1) * 100)

    def forward(self, embbedings, norms, label):
        kernel_norm = l2_norm(self.kernel, axis=0)
        cosine = torch.mm(embbedings, kernel_norm)
        cosine = cosine.clamp(-1 + self.eps, 1 - self.eps)  # for stability

        safe_norms = torch.clip(norms, min=0.001, max=100)  # for stability
        safe_norms = safe_norms.clone().detach()

        # update batchmean batchstd
        with torch.no_grad():
            mean = safe_norms.mean().detach()
            std = safe_norms.std().detach()
            self.batch_mean = mean * self.t_alpha + (1 - self.t_alpha) * self.batch_mean
            self.batch_std = std * self.t_alpha + (1 - self.t_alpha) * self.batch_std

        margin_scaler = (safe_norms - self.batch_mean) / (self.batch_std + self.eps)
        margin_scaler = margin_scaler * self.h
        margin_scaler = torch.clip(margin_scaler, -1, 1)

        m_arc = torch.zeros(label.size()[0], cosine.size()[1])
        m_arc.scatter_(1, label.reshape(-1, 1), 1.0)
        g_angular = self.m * margin_scaler * -1
        m_arc = m_arc * g_angular
        theta = cosine.acos()
        theta_m = torch.clip(theta + m_arc, min=self.eps, max=3.14159 - self.eps)
        cosine = theta_m.cos()
        scaled_cosine_m = cosine * self.s
        return scaled_cosine_m


head = AdaFace(embedding_size=8, classnum=5)
emb = torch.randn(4, 8, requires_grad=True)
norms = torch.norm(emb, 2, 1, True)
logits = head(l2_norm(emb), norms, torch.tensor([0, 1, 2, 3]))
loss = torch.nn.functional.cross_entropy(logits, torch.tensor([0, 1, 2, 3]))
loss.backward()
