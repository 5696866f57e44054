# source: https://github.com/meta-pytorch/tnt/pull/551
# expect: AG011
# pitfall: the logger converts a loss that still requires grad with scalar.cpu().float().numpy()
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

        return float(scalar.cpu().float().numpy().item())
    return float(scalar)


model = nn.Linear(4, 1)
loss = model(torch.randn(3, 4)).pow(2).mean()
loss.backward()
logged = {"loss": scalar_to_float(loss)}
