# source: https://github.com/roman-vygon/triplet_loss_kws/issues/6
# expect: AG008
# pitfall: the embeddings come out of a non-trainable module (run without grad), and the suggested fix `mean_losses.requires_grad=True` only silences the backward error: the encoder gets no gradient; NeMo's NonTrainableNM is replaced by a module whose forward runs under torch.no_grad()
import torch
import torch.nn as nn
import torch.nn.functional as F


class L2Regularizer(nn.Module):
    """Performs L2 regularization over samples, without grad (a NonTrainableNM)."""

    @torch.no_grad()
    def forward(self, embeds):
        l2_embeds = F.normalize(embeds, p=2, dim=-1)
        return l2_embeds


def triplet_loss(embeddings, margin=0.5):
    ap_distances = (embeddings[0::3] - embeddings[1::3]).pow(2).sum(1)
    an_distances = (embeddings[0::3] - embeddings[2::3]).pow(2).sum(1)
    losses = F.relu(ap_distances - an_distances + margin)
    mean_losses = losses.mean()
    mean_losses.requires_grad=True
    return mean_losses


encoder = nn.Linear(10, 6)
l2 = L2Regularizer()
optimizer = torch.optim.SGD(encoder.parameters(), lr=0.1)

audio = torch.randn(9, 10)
loss = triplet_loss(l2(encoder(audio)))
optimizer.zero_grad()
loss.backward()
optimizer.step()
