# source: https://github.com/Hunter-DDM/knowledge-neurons/blob/c51b44a79bc935961c27fabf2c6f8e523a669cbb/src/6_edit_knowledge_sampled.py
# expect: AG007
# pitfall: edit() changes a column of each knowledge neuron's FFN output weight in place, `model.bert.encoder.layer[layer].output.dense.weight[:, pos] -= ori_pred_emb * lambda_list_1[i]`, with grad mode on: a view of a parameter written in place (https://github.com/Hunter-DDM/knowledge-neurons/issues/14). The BERT model is replaced by its embedding and FFN output layers; the tokenizer and the prediction step by fixed ids
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
    for i, (layer, pos) in enumerate(kn_bag):
        model.bert.encoder.layer[layer].output.dense.weight[:, pos] -= ori_pred_emb * lambda_list_1[i]
        model.bert.encoder.layer[layer].output.dense.weight[:, pos] += tgt_emb * lambda_list_2[i]

    # recover knowledge
    for i, (layer, pos) in enumerate(kn_bag):
        model.bert.encoder.layer[layer].output.dense.weight[:, pos] += ori_pred_emb * lambda_list_1[i]
        model.bert.encoder.layer[layer].output.dense.weight[:, pos] -= tgt_emb * lambda_list_2[i]


edit([(0, 3), (1, 5)], torch.tensor(4), 7)
