# source: https://github.com/tkalayci71/embedding-inspector/issues/22
# expect: AG011
# pitfall: the embedding vector plotted is a row of a weight that requires grad; emb_vec[u].numpy() raises
import torch
import torch.nn as nn

token_embedding = nn.Embedding(16, 8)
emb_vec = token_embedding.weight
x = torch.arange(8)
u = 3
points = (x.numpy(), emb_vec[u].numpy())
print(points)
