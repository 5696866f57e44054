# source: https://github.com/OpenNMT/OpenNMT-py/issues/403
# expect: AG004, AG012
# pitfall: DecoderState.detach() calls h.detach() and discards the result, so truncated BPTT keeps backpropagating into the previous chunk's freed graph
import torch
import torch.nn as nn


class DecoderState(object):
    def __init__(self, hidden, input_feed):
        self.hidden = hidden
        self.input_feed = input_feed

    @property
    def _all(self):
        return self.hidden + (self.input_feed,)

    def detach(self):
        for h in self._all:
            if h is not None:
                h.detach()

    def update_state(self, rnnstate, input_feed):
        self.hidden = rnnstate
        self.input_feed = input_feed


class Decoder(nn.Module):
    def __init__(self, size=8):
        super().__init__()
        self.rnn = nn.LSTMCell(2 * size, size)
        self.out = nn.Linear(size, size)

    def forward(self, tgt, state):
        hidden = state.hidden
        input_feed = state.input_feed
        outputs = []
        for emb_t in tgt.split(1):
            inp = torch.cat([emb_t.squeeze(0), input_feed], 1)
            hidden = self.rnn(inp, hidden)
            input_feed = self.out(hidden[0])
            outputs.append(input_feed)
        state.update_state(hidden, input_feed)
        return torch.stack(outputs), state


decoder = Decoder()
optim = torch.optim.SGD(decoder.parameters(), lr=0.1)
size = 8
dec_state = DecoderState((torch.zeros(2, size), torch.zeros(2, size)), torch.zeros(2, size))
tgt = torch.randn(6, 2, size)
trunc_size = 2
for j in range(0, tgt.size(0), trunc_size):
    outputs, dec_state = decoder(tgt[j: j + trunc_size], dec_state)
    loss = outputs.pow(2).mean()
    optim.zero_grad()
    loss.backward()
    optim.step()
    dec_state.detach()
