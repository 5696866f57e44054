# source: https://github.com/gianwario/biased-relations/blob/a35c02de3d7202e1d68f7855168ef5effc10fbdd/src/6_edit_knowledge_sampled.py
# expect: clean
# pitfall: none: the same knowledge-neuron edit as knowledge-neurons' 6_edit_knowledge_sampled.py, `model.bert.encoder.layer[layer].output.dense.weight[:, pos] -= ori_pred_emb * lambda_list_1[i]`, but this copy wraps the edit and recover loops in `with torch.no_grad():`, so the in-place write on the parameter's column is allowed. The BERT model is replaced by its embedding and FFN output layers
import torch
import torch.nn as nn


class Output(nn.Module):
    def __init__(self, intermediate, hidden):
        super().__init__()
        self.dense = nn.Linear(intermediate, hidden)


class Layer(nn.Module):
    def __init__(self, intermediate, hidden):
        super().__init__()
        self.output = Output(intermediate, hidden)


class Encoder(nn.Module):
    def __init__(self, n_layers, intermediate, hidden):
        super().__init__()
        self.layer = nn.ModuleList([Layer(intermediate, hidden) for _ in range(n_layers)])


class Bert(nn.Module):
    def __init__(self, vocab=30, hidden=8, intermediate=16, n_layers=2):
        super().__init__()
        self.embeddings = nn.Module()
        self.embeddings.word_embeddings = nn.Embedding(vocab, hidden)
        self.encoder = Encoder(n_layers, intermediate, hidden)


class BertForMaskedLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.bert = Bert()


model = BertForMaskedLM()
norm_lambda1, norm_lambda2 = 1.0, 8.0


def edit(kn_bag, ori_pred_label_id, tgt_label_id):
    # edit knowledge
    ori_pred_emb = model.bert.embeddings.word_embeddings.weight[ori_pred_label_id.item()]
    tgt_emb = model.bert.embeddings.word_embeddings.weight[tgt_label_id]
    print(f'-- kn_num: {len(kn_bag)}')
    lambda_list_1 = []
    lambda_list_2 = []
    ori_pred_emb_norm = torch.norm(ori_pred_emb)
    tgt_emb_norm = torch.norm(tgt_emb)
    for layer, pos in kn_bag:
        value_norm = torch.norm(model.bert.encoder.layer[layer].output.dense.weight[:, pos])
        lambda_list_1.append(value_norm / ori_pred_emb_norm * norm_lambda1)
        lambda_list_2.append(value_norm / tgt_emb_norm * norm_lambda2)
    with torch.no_grad():
        for i, (layer, pos) in enumerate(kn_bag):
            model.bert.encoder.layer[layer].output.dense.weight[:, pos] -= ori_pred_emb * lambda_list_1[i]
            model.bert.encoder.layer[layer].output.dense.weight[:, pos] += tgt_emb * lambda_list_2[i]

    # recover knowledge
    with torch.no_grad():
        for i, (layer, pos) in enumerate(kn_bag):
            model.bert.encoder.layer[layer].output.dense.weight[:, pos] -= ori_pred_emb * lambda_list_1[i]
            model.bert.encoder.layer[layer].output.dense.weight[:, pos] += tgt_emb * lambda_list_2[i]


before = model.bert.encoder.layer[0].output.dense.weight.detach().clone()
edit([(0, 3), (1, 5)], torch.tensor(4), 7)
