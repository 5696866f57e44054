# source: https://github.com/Hunter-DDM/knowledge-neurons/issues/14
# expect: AG007
# pitfall: editing knowledge neurons with `dense.weight[:, pos] -= ori_pred_emb * lambda` changes a view of a parameter in place with grad mode on; the BERT output layer is a stand-in `nn.Linear`
import torch
import torch.nn as nn

dense = nn.Linear(12, 8)  # model.bert.encoder.layer[layer].output.dense
pos = 3
ori_pred_emb = torch.randn(8)
tgt_emb = torch.randn(8)
lambda_list_1 = [1.0]
lambda_list_2 = [8.0]
i = 0

dense.weight[:, pos] -= ori_pred_emb * lambda_list_1[i]
dense.weight[:, pos] += tgt_emb * lambda_list_2[i]
