# source: https://github.com/facebookresearch/fairscale/pull/372
# expect: AG001
# pitfall: SpecTrain predicts weights through p.data.sub_ before the forward and again (from restored weights) before the backward, so the backward uses weights the forward never saw
import torch
import torch.nn as nn
from torch.optim import Optimizer


class SpectrainSGDMomentum(Optimizer):
    def __init__(self, params, lr=0.1, momentum=0.9):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.reference_params = [[p.data.clone() for p in g["params"]] for g in self.param_groups]
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["momentum_buffer"] = torch.randn_like(p)

    def modify_reference_params_using_current_params(self):
        for group, refs in zip(self.param_groups, self.reference_params):
            for p, ref in zip(group["params"], refs):
                ref.copy_(p.data)

    def modify_current_params_using_reference_params(self):
        for group, refs in zip(self.param_groups, self.reference_params):
            for p, ref in zip(group["params"], refs):
                p.data.copy_(ref)

    def update_weight_using_future_predictions(self, model_index, num_gpus, forward):
        if forward:
            # In forward pass:
            # 1. clone weights to self.old_weights
            # 2. predict new weights and modify
            self.modify_reference_params_using_current_params()
            for group in self.param_groups:
                multiplier = group["lr"] * (model_index // 2 + num_gpus - model_index - 1)
                for p in group["params"]:
                    param_state = self.state[p]
                    p.data.sub_(param_state["momentum_buffer"].data, alpha=multiplier)

        if not forward:
            # In backward pass:
            # 1. load old weights
            # 2. predict new weights and modify
            self.modify_current_params_using_reference_params()
            for group in self.param_groups:
                multiplier = group["lr"] * (model_index // 2)
                for p in group["params"]:
                    param_state = self.state[p]
                    p.data.sub_(param_state["momentum_buffer"].data, alpha=multiplier)

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                buf = self.state[p]["momentum_buffer"]
                buf.mul_(group["momentum"]).add_(p.grad)
                p.sub_(buf, alpha=group["lr"])


model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
optimizer = SpectrainSGDMomentum(model.parameters())
x, y = torch.randn(5, 4), torch.randn(5, 1)
model_index, num_gpus = 2, 4

optimizer.update_weight_using_future_predictions(model_index, num_gpus, forward=True)
loss = nn.functional.mse_loss(model(x), y)
optimizer.update_weight_using_future_predictions(model_index, num_gpus, forward=False)
loss.backward()
optimizer.step()
