# source: https://github.com/Project-MONAI/MONAI/blob/04c0dcc9689751c3b6112bd95a4b65971c603014/monai/losses/contrastive.py
# expect: clean
# pitfall: none: ContrastiveLoss builds its negatives mask with `torch.clone(negatives_mask.type(torch.float))` and the temperature with `torch.as_tensor(...)`: the clone is of a constant bool mask (the earlier `torch.tensor(negatives_mask)` copy-construct warned, https://github.com/Project-MONAI/MONAI/issues/3872), so nothing that requires grad is copied. The class docstrings are trimmed; the SimCLR projection head and training step are stand-ins
from __future__ import annotations

from warnings import warn

import torch
from torch.nn import functional as F
from torch.nn.modules.loss import _Loss


class ContrastiveLoss(_Loss):
    def __init__(self, temperature: float = 0.5, batch_size: int = -1) -> None:
        super().__init__()
        self.temperature = temperature

        if batch_size != -1:
            warn("batch_size is no longer required to be set. It will be estimated dynamically in the forward call")

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """
        Args:
            input: the shape should be B[F].
            target: the shape should be B[F].
        """
        if len(target.shape) > 2 or len(input.shape) > 2:
            raise ValueError(
                f"Either target or input has dimensions greater than 2 where target "
                f"shape is ({target.shape}) and input shape is ({input.shape})"
            )

        if target.shape != input.shape:
            raise ValueError(f"ground truth has differing shape ({target.shape}) from input ({input.shape})")

        temperature_tensor = torch.as_tensor(self.temperature).to(input.device)
        batch_size = input.shape[0]

        norm_i = F.normalize(input, dim=1)
        norm_j = F.normalize(target, dim=1)

        negatives_mask = ~torch.eye(batch_size * 2, batch_size * 2, dtype=torch.bool)
        negatives_mask = torch.clone(negatives_mask.type(torch.float)).to(input.device)

        repr = torch.cat([norm_i, norm_j], dim=0)
        sim_matrix = F.cosine_similarity(repr.unsqueeze(1), repr.unsqueeze(0), dim=2)
        sim_ij = torch.diag(sim_matrix, batch_size)
        sim_ji = torch.diag(sim_matrix, -batch_size)

        positives = torch.cat([sim_ij, sim_ji], dim=0)
        nominator = torch.exp(positives / temperature_tensor)
        denominator = negatives_mask * torch.exp(sim_matrix / temperature_tensor)

        loss_partial = -torch.log(nominator / torch.sum(denominator, dim=1))

        return torch.sum(loss_partial) / (2 * batch_size)


head = torch.nn.Linear(10, 8)
loss_fn = ContrastiveLoss(temperature=0.05)
optimizer = torch.optim.Adam(head.parameters(), lr=1e-3)
view_1, view_2 = torch.randn(4, 10), torch.randn(4, 10)
optimizer.zero_grad()
loss = loss_fn(head(view_1), head(view_2))
loss.backward()
optimizer.step()
