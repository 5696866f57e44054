# source: https://github.com/meta-pytorch/tnt/blob/main/torchtnt/utils/loggers/utils.py
# expect: clean
# pitfall: look-alike of AG011: the fixed logger detaches before numpy(), and a no_grad result converts fine
import torch
import torch.nn as nn
from torch import Tensor


def scalar_to_float(scalar) -> float:
    if isinstance(scalar, Tensor):
        scalar = scalar.squeeze()
        numel = scalar.numel()
        if numel != 1:
            raise ValueError(
                f"Scalar tensor must contain a single item, {numel} given."
            )

        return float(scalar.cpu().detach().float().numpy().item())
    return float(scalar)


model = nn.Linear(4, 1)
loss = model(torch.randn(3, 4)).pow(2).mean()
loss.backward()
logged = {"loss": scalar_to_float(loss)}
with torch.no_grad():
    val = model(torch.randn(3, 4)).mean()
print(val.numpy())
