# source: https://github.com/ccsasuke/umwe/issues/5
# expect: AG011
# pitfall: the sentence embeddings are computed from a trainable embedding; emb2.cpu().numpy() still requires grad
import torch
import torch.nn as nn


def get_sent_translation_accuracy(emb1, emb2):
    emb1 = emb1 / emb1.norm(2, 1, keepdim=True).expand_as(emb1)
    emb2 = emb2 / emb2.norm(2, 1, keepdim=True).expand_as(emb2)
    emb1 = emb1.cpu().numpy()
    emb2 = emb2.cpu().numpy()
    return emb1.dot(emb2.T)


src_emb = nn.Embedding(20, 6)
tgt_emb = nn.Embedding(20, 6)
with torch.no_grad():
    frozen = src_emb.weight * 1.0
scores = get_sent_translation_accuracy(frozen, tgt_emb.weight)
