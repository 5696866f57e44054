# source: https://github.com/OpenNMT/OpenNMT-py/issues/403
# expect: AG012
# pitfall: DecoderState.detach() calls h.detach_() on every state tensor, and input_feed is an unsqueeze view
import torch
from torch.autograd import Variable


class DecoderState(object):
    def detach(self):
        for h in self._all:
            if h is not None:
                h.detach_()


class RNNDecoderState(DecoderState):
    def __init__(self, context, hidden_size, rnnstate):
        if not isinstance(rnnstate, tuple):
            self.hidden = (rnnstate,)
        else:
            self.hidden = rnnstate
        self.coverage = None

        # Init the input feed.
        batch_size = context.size(1)
        h_size = (batch_size, hidden_size)
        self.input_feed = Variable(context.data.new(*h_size).zero_(),
                                   requires_grad=False).unsqueeze(0)

    @property
    def _all(self):
        return self.hidden + (self.input_feed,)


context = torch.randn(5, 2, 8)
rnnstate = torch.randn(1, 2, 8)
dec_state = RNNDecoderState(context, 8, rnnstate)
dec_state.detach()
