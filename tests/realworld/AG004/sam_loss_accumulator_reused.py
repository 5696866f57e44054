# source: https://github.com/davda54/sam/issues/10
# expect: AG004
# pitfall: the second SAM pass keeps adding task losses onto the first pass's loss variable, whose graph the first backward freed
import torch
import torch.nn as nn
import torch.nn.functional as F


class SAM(torch.optim.Optimizer):
    def __init__(self, params, base_optimizer, rho=0.05, **kwargs):
        defaults = dict(rho=rho, **kwargs)
        super().__init__(params, defaults)
        self.base_optimizer = base_optimizer(self.param_groups, **kwargs)

    @torch.no_grad()
    def first_step(self, zero_grad=False):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                e_w = p.grad * group["rho"]
                p.add_(e_w)
                self.state[p]["e_w"] = e_w
        if zero_grad:
            self.zero_grad()

    @torch.no_grad()
    def second_step(self, zero_grad=False):
        for group in self.param_groups:
            for p in group["params"]:
                if "e_w" in self.state[p]:
                    p.sub_(self.state[p]["e_w"])
        self.base_optimizer.step()
        if zero_grad:
            self.zero_grad()


class Model(nn.Module):
    def __init__(self, num_tasks):
        super().__init__()
        self.body = nn.Linear(6, 8)
        self.head = nn.Linear(8, num_tasks)

    def forward(self, x):
        feat = torch.tanh(self.body(x))
        return self.head(feat), feat


def get_loss(output, target, t, device, cfg):
    loss_t = F.binary_cross_entropy_with_logits(output[:, t], target[:, t])
    acc_t = ((output[:, t] > 0).float() == target[:, t]).float().mean()
    return loss_t, acc_t


num_tasks = 3
device = "cpu"
cfg = None
model = Model(num_tasks)
optimizer = SAM(model.parameters(), torch.optim.SGD, lr=0.1)
image = torch.randn(4, 6)
target = torch.randint(0, 2, (4, num_tasks)).float()
loss_sum = [0.0] * num_tasks
acc_sum = [0.0] * num_tasks

output, logit_map = model(image)

loss = 0
for t in range(num_tasks):
    loss_t, acc_t = get_loss(output, target, t, device, cfg)
    loss += loss_t
    loss_sum[t] += loss_t.item()
    acc_sum[t] += acc_t.item()

optimizer.zero_grad()
loss.backward()
optimizer.first_step(zero_grad=True)
output, logit_map = model(image)

for t in range(num_tasks):
    loss_t, acc_t = get_loss(output, target, t, device, cfg)
    loss += loss_t
    loss_sum[t] += loss_t.item()
    acc_sum[t] += acc_t.item()
loss.backward()
optimizer.second_step(zero_grad=True)
