# source: https://github.com/Atcold/NYU-DLSP20/blob/master/15-transformer.ipynb
# expect: AG007
# pitfall: the notebook's create_sinusoidal_embeddings fills the position embedding's weight by slices, `E[:, 0::2] = torch.FloatTensor(...)`, before `E.detach_()` / `E.requires_grad = False`: with grad mode on, a view of a leaf that requires grad is written in place (https://github.com/Atcold/NYU-DLSP20/issues/765). Embeddings.forward and the rest of the Transformer are left out
import numpy as np
import torch
import torch.nn as nn

device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")


def create_sinusoidal_embeddings(nb_p, dim, E):
    theta = np.array([
        [p / np.power(10000, 2 * (j // 2) / dim) for j in range(dim)]
        for p in range(nb_p)
    ])
    E[:, 0::2] = torch.FloatTensor(np.sin(theta[:, 0::2]))
    E[:, 1::2] = torch.FloatTensor(np.cos(theta[:, 1::2]))
    E.detach_()
    E.requires_grad = False
    E = E.to(device)


class Embeddings(nn.Module):
    def __init__(self, d_model, vocab_size, max_position_embeddings, p):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab_size, d_model, padding_idx=1)
        self.position_embeddings = nn.Embedding(max_position_embeddings, d_model)
        create_sinusoidal_embeddings(
            nb_p=max_position_embeddings,
            dim=d_model,
            E=self.position_embeddings.weight
        )

        self.LayerNorm = nn.LayerNorm(d_model, eps=1e-12)


emb = Embeddings(d_model=32, vocab_size=50, max_position_embeddings=16, p=0.1)
