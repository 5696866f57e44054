# source: https://github.com/IC3Net/IC3Net/issues/7
# expect: clean
# pitfall: look-alike: the recurrent state is detached every detach_gap steps inside an episode, and the loss is backpropagated once at the end of the episode
import torch
import torch.nn as nn


class Args:
    detach_gap = 2
    rnn_type = 'LSTM'
    max_steps = 5


class Policy(nn.Module):
    def __init__(self, hid=8):
        super().__init__()
        self.cell = nn.LSTMCell(4, hid)
        self.head = nn.Linear(hid, 2)

    def forward(self, x, prev_hid):
        h, c = self.cell(x, prev_hid)
        return self.head(h), (h, c)


class Trainer:
    def __init__(self, args, policy_net):
        self.args = args
        self.policy_net = policy_net
        self.optimizer = torch.optim.RMSprop(policy_net.parameters(), lr=1e-3)

    def get_episode(self):
        prev_hid = (torch.zeros(1, 8), torch.zeros(1, 8))
        outputs = []
        for t in range(self.args.max_steps):
            if (t + 1) % self.args.detach_gap == 0:
                if self.args.rnn_type == 'LSTM':
                    prev_hid = (prev_hid[0].detach(), prev_hid[1].detach())
                else:
                    prev_hid = prev_hid.detach()
            out, prev_hid = self.policy_net(torch.randn(1, 4), prev_hid)
            outputs.append(out)
        return torch.stack(outputs)

    def train_batch(self):
        episode = self.get_episode()
        loss = episode.pow(2).mean()
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()


trainer = Trainer(Args(), Policy())
for _ in range(2):
    trainer.train_batch()
