# source: https://github.com/sktime/pytorch-forecasting/pull/2208
# expect: AG008
# pitfall: for multivariate targets TiDEModel.forward replaces each prediction by i.clone().detach().requires_grad_(True): the training step's backward runs but no gradient reaches the model, which never learns
# The training step (BaseModel.step with a MultiLoss of one MSE per target) is stubbed.
import torch
import torch.nn.functional as F

from tide import TiDEModel

model = TiDEModel(output_dim=2, input_chunk_length=6, output_chunk_length=3)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

x = {"encoder_cont": torch.randn(4, 6, 2), "target_scale": None}
y = [torch.randn(4, 3), torch.randn(4, 3)]

optimizer.zero_grad()
out = model(x)
loss = sum(F.mse_loss(p, t) for p, t in zip(out["prediction"], y))
loss.backward()
optimizer.step()
