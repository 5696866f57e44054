# source: https://github.com/LiJunnan1992/MLNT/issues/8
# expect: AG012
# pitfall: hidden[0] and hidden[1] are views of the hidden-state tensor; detaching them in place raises
import torch
import torch.nn as nn

rnn = nn.GRU(4, 6, num_layers=2)
inputs = torch.randn(5, 3, 4)
hidden = torch.zeros(2, 3, 6)
out, hidden = rnn(inputs, hidden)
hidden[0].detach_()
hidden[1].detach_()
