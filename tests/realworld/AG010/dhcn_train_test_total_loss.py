# source: https://github.com/xiaxin1998/DHCN/blob/087afd1340549ec89118cade7a0bd91d00709922/model.py
# expect: AG010
# pitfall: `train_test` adds every batch's loss tensor to `total_loss` (`total_loss += loss` after `model.optimizer.step()`), so each batch's graph stays alive until the epoch ends and the sum is returned to the caller as a tensor with history; `total_loss += loss.item()` was meant. The DHCN model is reduced to an embedding scorer with its optimizer and loss function, the session data to a stub with `generate_batch` and `get_slice`
import datetime
import numpy as np
import torch
from torch import nn
from torch.nn import Module


def trans_to_cuda(variable):
    if torch.cuda.is_available():
        return variable.cuda()
    else:
        return variable


def trans_to_cpu(variable):
    if torch.cuda.is_available():
        return variable.cpu()
    else:
        return variable


class DHCN(Module):
    def __init__(self, n_node, lr, beta, emb_size=100, batch_size=100):
        super(DHCN, self).__init__()
        self.emb_size = emb_size
        self.batch_size = batch_size
        self.beta = beta
        self.embedding = nn.Embedding(n_node, emb_size)
        self.loss_function = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(self.parameters(), lr=lr)

    def forward(self, session_item):
        sess_emb = self.embedding(session_item).mean(1)
        con_loss = sess_emb.pow(2).mean()
        return self.embedding.weight, sess_emb, self.beta*con_loss


class Data:
    def __init__(self, n_node, n_sess):
        self.items = torch.randint(0, n_node, (n_sess, 3))
        self.targets = torch.randint(0, n_node, (n_sess,))

    def generate_batch(self, batch_size):
        return [slice(k, k + batch_size) for k in range(0, len(self.targets), batch_size)]

    def get_slice(self, i):
        return self.targets[i], self.items[i]


def forward(model, i, data):
    tar, session_item = data.get_slice(i)
    session_item = trans_to_cuda(session_item)
    tar = trans_to_cuda(tar)
    item_emb_hg, sess_emb_hgnn, con_loss = model(session_item)
    scores = torch.mm(sess_emb_hgnn, torch.transpose(item_emb_hg, 1,0))
    return tar, scores, con_loss


def train_test(model, train_data, test_data):
    print('start training: ', datetime.datetime.now())
    torch.autograd.set_detect_anomaly(True)
    total_loss = 0.0
    slices = train_data.generate_batch(model.batch_size)
    for i in slices:
        model.zero_grad()
        targets, scores, con_loss = forward(model, i, train_data)
        loss = model.loss_function(scores + 1e-8, targets)
        loss = loss + con_loss
        loss.backward()
#        print(loss.item())
        model.optimizer.step()
        total_loss += loss
    print('\tLoss:\t%.3f' % total_loss)
    top_K = [5, 10, 20]
    metrics = {}
    for K in top_K:
        metrics['hit%d' % K] = []
    print('start predicting: ', datetime.datetime.now())

    model.eval()
    slices = test_data.generate_batch(model.batch_size)
    for i in slices:
        tar, scores, con_loss = forward(model, i, test_data)
        scores = trans_to_cpu(scores).detach().numpy()
        index = np.argsort(-scores, 1)
        tar = trans_to_cpu(tar).detach().numpy()
        for K in top_K:
            for prediction, target in zip(index[:, :K], tar):
                metrics['hit%d' %K].append(np.isin(target, prediction))
    return metrics, total_loss


model = DHCN(n_node=30, lr=0.001, beta=0.01, emb_size=8, batch_size=4)
metrics, total_loss = train_test(model, Data(30, 12), Data(30, 8))
