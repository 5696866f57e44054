# source: https://github.com/spro/char-rnn.pytorch/blob/master/train.py
# expect: clean
# pitfall: look-alike for AG010: loss += criterion(...) over the characters of a chunk is backpropagated through time on purpose (one backward per chunk)
import torch
import torch.nn as nn


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size, n_layers=1):
        super(RNN, self).__init__()
        self.hidden_size = hidden_size
        self.encoder = nn.Embedding(input_size, hidden_size)
        self.cell = nn.Linear(2 * hidden_size, hidden_size)
        self.decoder = nn.Linear(hidden_size, output_size)

    def forward(self, input, hidden):
        hidden = torch.tanh(self.cell(torch.cat([self.encoder(input), hidden], 1)))
        return self.decoder(hidden), hidden

    def init_hidden(self):
        return torch.zeros(1, self.hidden_size)


chunk_len = 5
decoder = RNN(10, 8, 10)
decoder_optimizer = torch.optim.Adam(decoder.parameters(), lr=0.01)
criterion = nn.CrossEntropyLoss()


def train(inp, target):
    hidden = decoder.init_hidden()
    decoder.zero_grad()
    loss = 0

    for c in range(chunk_len):
        output, hidden = decoder(inp[c], hidden)
        loss += criterion(output, target[c])

    loss.backward()
    decoder_optimizer.step()

    return loss.item() / chunk_len


loss_avg = 0
for epoch in range(1, 4):
    inp = torch.randint(0, 10, (chunk_len, 1))
    target = torch.randint(0, 10, (chunk_len, 1))
    loss = train(inp, target)
    loss_avg += loss
