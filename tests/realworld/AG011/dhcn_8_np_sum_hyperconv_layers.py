# source: https://github.com/xiaxin1998/DHCN/blob/087afd1340549ec89118cade7a0bd91d00709922/model.py
# expect: AG011
# pitfall: `HyperConv.forward` collects the layer outputs (sparse products of `self.embedding.weight`, so they require grad) in a list and reduces it with `np.sum(final, 0)`: numpy converts each tensor to an array and torch refuses for a tensor that requires grad, https://github.com/xiaxin1998/DHCN/issues/8 ("RuntimeError: Can't call numpy() on Tensor that requires grad" at `item_embeddings = np.sum(final, 0)`). The DHCN model is reduced to its embedding and the hypergraph call, the adjacency to a small random sparse matrix
import numpy as np
import torch
from torch import nn
from torch.nn import Module
import torch.sparse
from scipy.sparse import coo_matrix


def trans_to_cuda(variable):
    if torch.cuda.is_available():
        return variable.cuda()
    else:
        return variable


class HyperConv(Module):
    def __init__(self, layers,dataset,emb_size=100):
        super(HyperConv, self).__init__()
        self.emb_size = emb_size
        self.layers = layers
        self.dataset = dataset

    def forward(self, adjacency, embedding):
        values = adjacency.data
        indices = np.vstack((adjacency.row, adjacency.col))
        if self.dataset == 'Nowplaying':
            index_fliter = (values < 0.05).nonzero()
            values = np.delete(values, index_fliter)
            indices1 = np.delete(indices[0], index_fliter)
            indices2 = np.delete(indices[1], index_fliter)
            indices = [indices1, indices2]
        i = torch.LongTensor(indices)
        v = torch.FloatTensor(values)

        shape = adjacency.shape
        adjacency = torch.sparse.FloatTensor(i, v, torch.Size(shape))
        item_embeddings = embedding
        item_embedding_layer0 = item_embeddings
        final = [item_embedding_layer0]
        for i in range(self.layers):
            item_embeddings = torch.sparse.mm(trans_to_cuda(adjacency), item_embeddings)
            final.append(item_embeddings)
      #  final1 = trans_to_cuda(torch.tensor([item.cpu().detach().numpy() for item in final]))
      #  item_embeddings = torch.sum(final1, 0)
        item_embeddings = np.sum(final, 0)
        return item_embeddings


class DHCN(Module):
    def __init__(self, adjacency, n_node, layers, dataset, emb_size=100):
        super(DHCN, self).__init__()
        self.adjacency = adjacency
        self.embedding = nn.Embedding(n_node, emb_size)
        self.HyperGraph = HyperConv(layers, dataset)

    def forward(self):
        item_embeddings_hg = self.HyperGraph(self.adjacency, self.embedding.weight)
        return item_embeddings_hg


rng = np.random.default_rng(0)
dense = (rng.random((6, 6)) < 0.4) * rng.random((6, 6))
model = DHCN(coo_matrix(dense.astype(np.float32)), n_node=6, layers=3, dataset='diginetica', emb_size=8)
item_emb = model()
