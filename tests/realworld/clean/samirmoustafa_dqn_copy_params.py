# source: https://github.com/SamirMoustafa/auto-features-extraction-for-RL/blob/a0d850dae49a6b61a9331323cca4c035e91c221e/src/reinforcement_learning/utils/nn_utils.py
# expect: clean
# pitfall: look-alike: the target network is refreshed with `target_param.data.copy_(param)` after the optimizer step: a write through `.data` of a network that no pending backward saved, with values copied (not a graph) into it
# copy_params is the file's; the DQN update around it is stubbed (one TD step, then the copy).
import torch
import torch.nn as nn
import torch.nn.functional as F


def copy_params(source_network, target_network):
    for target_param, param in zip(target_network.parameters(), source_network.parameters()):
        target_param.data.copy_(param)


torch.manual_seed(0)
policy_net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
target_net = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
copy_params(policy_net, target_net)
optimizer = torch.optim.Adam(policy_net.parameters(), lr=1e-3)
state, next_state = torch.randn(8, 4), torch.randn(8, 4)
action, reward = torch.randint(0, 2, (8, 1)), torch.randn(8)
for step in range(3):
    q = policy_net(state).gather(1, action).squeeze(1)
    with torch.no_grad():
        target = reward + 0.99 * target_net(next_state).max(1)[0]
    loss = F.smooth_l1_loss(q, target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    copy_params(policy_net, target_net)
