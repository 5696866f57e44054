# source: https://github.com/1183710231/DQN_choose_t/blob/HEAD/Algorithms/DQN/dqn_step.py
# expect: clean
# pitfall: look-alike: the DQN target is computed from the target network under torch.no_grad(), so the MSE target carries no graph
import torch
import torch.nn as nn


def dqn_step(value_net, optimizer_value, value_net_target, states, actions, rewards, next_states, masks, gamma):
    masks = masks.unsqueeze(-1)
    rewards = rewards.unsqueeze(-1)
    actions = actions.unsqueeze(-1)
    """update value net"""
    q_values = value_net(states).gather(1, actions)
    with torch.no_grad():
        q_target_next_values = value_net_target(next_states)
        q_target_values = rewards + gamma * masks * \
            q_target_next_values.max(1)[0].view(q_values.size(0), 1)

    value_loss = nn.MSELoss()(q_target_values, q_values)

    optimizer_value.zero_grad()
    value_loss.backward()
    optimizer_value.step()

    return {"critic_loss": value_loss}


value_net = nn.Linear(4, 3)
value_net_target = nn.Linear(4, 3)
value_net_target.load_state_dict(value_net.state_dict())
optimizer_value = torch.optim.Adam(value_net.parameters(), lr=1e-3)
for _ in range(2):
    dqn_step(value_net, optimizer_value, value_net_target, torch.randn(5, 4), torch.randint(0, 3, (5,)),
             torch.randn(5), torch.randn(5, 4), torch.ones(5), 0.99)
