# source: https://github.com/huggingface/torchMoji/issues/21
# expect: AG008
# pitfall: TorchMoji.forward returns `outputs.data` for LongTensor inputs (`if return_tensor: outputs = outputs.data`), so the loss has no graph; the reporter's `loss = Variable(loss, requires_grad=True)` in fit_model silences the backward error and the loss never goes down. forward keeps its input/return-format handling; the LSTM/attention stack is replaced by an embedding and the output layer, the data loader by one batch
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.autograd import Variable
from torch.nn.utils import clip_grad_norm_ as clip_grad_norm


class TorchMoji(nn.Module):
    def __init__(self, nb_classes, nb_tokens, embedding_dim=8):
        super(TorchMoji, self).__init__()
        self.embed = nn.Embedding(nb_tokens, embedding_dim)
        self.output_layer = nn.Sequential(nn.Linear(embedding_dim, nb_classes))

    def forward(self, input_seqs):
        # Check if we have Torch.LongTensor inputs or not Torch.Variable (assume Numpy array in this case), take note to return same format
        return_numpy = False
        return_tensor = False
        if isinstance(input_seqs, (torch.LongTensor, torch.cuda.LongTensor)):
            input_seqs = Variable(input_seqs)
            return_tensor = True
        elif not isinstance(input_seqs, Variable):
            input_seqs = Variable(torch.from_numpy(input_seqs.astype('int64')).long())
            return_numpy = True

        x = self.embed(input_seqs).mean(dim=1)
        outputs = self.output_layer(x)

        # Adapt return format if needed
        if return_tensor:
            outputs = outputs.data
        if return_numpy:
            outputs = outputs.data.numpy()

        return outputs


def calc_loss(loss_op, pred, yv):
    if type(loss_op) is nn.CrossEntropyLoss:
        return loss_op(pred.squeeze(), yv.squeeze())
    else:
        return loss_op(pred.squeeze(), yv.squeeze().float())


def fit_model(model, loss_op, optim_op, train_gen, epochs):
    for epoch in range(epochs):
        for i, data in enumerate(train_gen):
            X_train, y_train = data
            X_train = Variable(X_train, requires_grad=False)
            y_train = Variable(y_train, requires_grad=False)
            model.train()
            optim_op.zero_grad()
            output = model(X_train)
            loss = calc_loss(loss_op, output, y_train)
            loss = Variable(loss, requires_grad=True)
            loss.backward()
            clip_grad_norm(model.parameters(), 1)
            optim_op.step()


model = TorchMoji(nb_classes=1, nb_tokens=50)
loss_op = nn.BCEWithLogitsLoss()
adam = optim.Adam(model.parameters(), lr=1e-3)
train_gen = [(torch.randint(1, 50, (4, 6)), torch.randint(0, 2, (4,)))]
fit_model(model, loss_op, adam, train_gen, 1)
