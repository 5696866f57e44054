# source: https://github.com/pytorch/examples/pull/779
# expect: AG007
# pitfall: word_language_model's manual SGD `p.add_(-lr, p.grad)` after `loss.backward()` is an in-place op on each parameter with grad mode on; the RNN model is replaced by a small LSTM + decoder, and the deprecated `add_(-lr, p.grad)` overload by `add_(p.grad, alpha=-lr)`
import torch
import torch.nn as nn


class RNNModel(nn.Module):
    def __init__(self, ntoken=10, ninp=8, nhid=8):
        super().__init__()
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = nn.LSTM(ninp, nhid)
        self.decoder = nn.Linear(nhid, ntoken)

    def forward(self, input):
        emb = self.encoder(input)
        output, _ = self.rnn(emb)
        return self.decoder(output)


model = RNNModel()
criterion = nn.CrossEntropyLoss()
lr = 20
clip = 0.25
data = torch.randint(0, 10, (5, 2))
targets = torch.randint(0, 10, (5 * 2,))

model.train()
model.zero_grad()
output = model(data)
loss = criterion(output.view(-1, 10), targets)
loss.backward()

# `clip_grad_norm` helps prevent the exploding gradient problem in RNNs / LSTMs.
torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
for p in model.parameters():
    p.add_(p.grad, alpha=-lr)
