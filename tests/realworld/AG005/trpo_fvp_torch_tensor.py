# source: https://github.com/PacktPublishing/Deep-Reinforcement-Learning-Hands-On-Second-Edition/pull/12
# expect: AG005
# pitfall: Fvp copy-constructs the step direction with torch.tensor(v) (the line the PR replaced with v.clone().detach()); torch warns
import torch
import torch.nn as nn


def trpo_step(model, get_loss, get_kl, max_kl, damping, device="cpu"):
    loss = get_loss()
    grads = torch.autograd.grad(loss, model.parameters())
    loss_grad = torch.cat([grad.view(-1) for grad in grads]).data

    def Fvp(v):
        kl = get_kl()
        kl = kl.mean()

        grads = torch.autograd.grad(kl, model.parameters(), create_graph=True)
        flat_grad_kl = torch.cat([grad.view(-1) for grad in grads])

        v_v = torch.tensor(v).to(device)
        kl_v = (flat_grad_kl * v_v).sum()
        grads = torch.autograd.grad(kl_v, model.parameters())
        flat_grad_grad_kl = torch.cat([grad.contiguous().view(-1) for grad in grads]).data

        return flat_grad_grad_kl + v * damping

    return Fvp(-loss_grad)


net = nn.Linear(3, 2)
states = torch.randn(5, 3)
old_logits = net(states).detach()


def get_loss():
    return -net(states).log_softmax(-1)[:, 0].mean()


def get_kl():
    p_old = old_logits.softmax(-1)
    return (p_old * (old_logits.log_softmax(-1) - net(states).log_softmax(-1))).sum(-1)


step = trpo_step(net, get_loss, get_kl, max_kl=0.01, damping=0.1)
