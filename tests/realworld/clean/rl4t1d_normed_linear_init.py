# source: https://github.com/RL4H/RL4T1D/blob/431de18697c364e7347d59fe79293192a387bab2/agents/models/normed_linear.py
# expect: clean
# pitfall: none: NormedLinear rescales a fresh layer's rows once at construction, `out.weight.data *= scale / out.weight.norm(dim=1, p=2, keepdim=True)`; no graph reads the weight yet and the factor's own graph is thrown away, so training afterwards is ordinary. The policy network around it and the training step are stand-ins
import torch
import torch.nn as nn


def NormedLinear(*args, scale=1.0):
    out = nn.Linear(*args)
    out.weight.data *= scale / out.weight.norm(dim=1, p=2, keepdim=True)
    return out


class ActorNetwork(nn.Module):
    def __init__(self, n_features=6, n_hidden=16, n_actions=1):
        super().__init__()
        self.fc = nn.Linear(n_features, n_hidden)
        self.mu = NormedLinear(n_hidden, n_actions, scale=0.1)

    def forward(self, s):
        return torch.tanh(self.mu(torch.relu(self.fc(s))))


policy = ActorNetwork()
optimizer = torch.optim.Adam(policy.parameters(), lr=1e-3)
states = torch.randn(8, 6)
advantages = torch.randn(8, 1)
optimizer.zero_grad()
loss = -(policy(states) * advantages).mean()
loss.backward()
optimizer.step()
