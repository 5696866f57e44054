# source: https://github.com/pytorch/examples/blob/77f55b912142e11fcfdf5b530231fb9c52f181e8/word_language_model/main.py
# expect: AG013
# pitfall: without an optimizer the training loop updates the parameters through `.data` after clipping the gradients
import argparse

import torch
import torch.nn as nn

args = argparse.Namespace(clip=0.25, use_optimizer=False, log_interval=2)
ntokens, emsize = 10, 6
lr = 20


class RNNModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Embedding(ntokens, emsize)
        self.rnn = nn.LSTM(emsize, emsize)
        self.decoder = nn.Linear(emsize, ntokens)

    def forward(self, input, hidden):
        output, hidden = self.rnn(self.encoder(input), hidden)
        return self.decoder(output), hidden


def repackage_hidden(h):
    """Wraps hidden states in new Tensors, to detach them from their history."""
    if isinstance(h, torch.Tensor):
        return h.detach()
    else:
        return tuple(repackage_hidden(v) for v in h)


model = RNNModel()
criterion = nn.NLLLoss()
hidden = (torch.zeros(1, 2, emsize), torch.zeros(1, 2, emsize))
total_loss = 0.0
for batch in range(3):
    data = torch.randint(0, ntokens, (5, 2))
    targets = torch.randint(0, ntokens, (10,))
    model.zero_grad()
    hidden = repackage_hidden(hidden)
    output, hidden = model(data, hidden)
    output = torch.log_softmax(output, dim=-1).view(-1, ntokens)
    loss = criterion(output, targets)
    loss.backward()

    # `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
    torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
    if args.use_optimizer:
        pass
    else:
        for p in model.parameters():
            p.data.add_(p.grad, alpha=-lr)

    total_loss += loss.item()
