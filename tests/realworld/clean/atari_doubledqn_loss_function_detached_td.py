# source: https://github.com/vishesh-kumar-singh/Atari-Breakout-DoubleDQN/blob/05451a4a9b1319bd002521885d977198f09765ce/Agent_Implementation.py
# expect: clean
# pitfall: none: the later agent computes the Double-DQN loss in `compute_double_dqn_loss` from the policy network's Q-values (no rebuilt tensor: the backward reaches the network), turns the TD errors to numpy only after `.detach()`, and returns `loss.item()`. The DQN is a linear layer over flat frames with a `device` attribute, the prioritized replay buffer a list sampled with unit weights, the config a dict
from typing import Optional
import numpy as np
import torch
import torch.nn as nn

config = {'learning_rate': 1e-4, 'buffer_size': 100, 'alpha': 0.6, 'beta_start': 0.4, 'max_episodes': 10,
          'target_update_freq': 5, 'initial_replay_size': 4, 'batch_size': 4, 'gamma': 0.99}


class DQN(nn.Module):
    def __init__(self, state_shape, action_size):
        super().__init__()
        self.device = torch.device('cpu')
        self.fc = nn.Linear(int(np.prod(state_shape)), action_size)

    def forward(self, x):
        return self.fc(x.flatten(1))


class PrioritizedReplayBuffer:
    def __init__(self, capacity, alpha, beta_start):
        self.items = []

    def push(self, *experience):
        self.items.append(experience)

    def sample(self, batch_size):
        return self.items[:batch_size], list(range(batch_size)), [1.0] * batch_size

    def update_priorities(self, indices, priorities):
        pass

    def __len__(self):
        return len(self.items)


def compute_double_dqn_loss(policy_net, target_net, states, actions, 
                              rewards, next_states, dones, gamma, is_weights):
    """Compute Double DQN loss with importance sampling"""
    
    # Extract Q-values for the actions that were actually taken.
    q_values = policy_net(states).gather(1, actions)
    # Use the policy network to select the best next actions.
    next_actions = policy_net(next_states).argmax(dim=1, keepdim=True)
    # Evaluate those selected actions using the target network.
    next_q_values = target_net(next_states).gather(1, next_actions)
    # Compute target Q-values using the Bellman equation.
    target_q_values = rewards + (1 - dones) * gamma * next_q_values
    # Calculate temporal difference errors for priority updates.
    td_errors = q_values - target_q_values
    # Apply importance sampling weights if provided to correct sampling bias.
    if is_weights is not None:
        # Scale the loss by the importance sampling weights.
        loss = (td_errors ** 2 * is_weights).mean()
    else:
        # Compute the mean squared error loss without importance sampling.
        loss = (td_errors ** 2).mean()
    # Return both the loss value and TD errors for priority updates.
    return loss, td_errors


class AdvancedDQNAgent:
    def __init__(self, state_shape, action_size, config=config):
        """Initialize agent with networks and replay buffer"""
        self.state_shape = state_shape
        self.action_size = action_size
        self.config = config
        self.policy_net = DQN(self.state_shape, self.action_size)
        self.policy_net.to(self.policy_net.device)
        self.target_net = DQN(self.state_shape, self.action_size)
        self.target_net.to(self.target_net.device)
        self.target_net.load_state_dict(self.policy_net.state_dict())
        self.optimizer = torch.optim.Adam(self.policy_net.parameters(), lr=config['learning_rate'])
        self.replay_buffer = PrioritizedReplayBuffer(config['buffer_size'], 
                                                     alpha=config['alpha'], 
                                                     beta_start=config['beta_start'])

    def store_transition(self, state, action, reward, next_state, done):
        """Store experience in replay buffer"""
        self.replay_buffer.push(state, action, reward, next_state, done)
    
    def update(self) -> Optional[float]:
        """Perform learning update"""
        if len(self.replay_buffer) < self.config['initial_replay_size']:
            return None

        experiences, indices, weights = self.replay_buffer.sample(self.config['batch_size'])
        if not isinstance(experiences, (list, tuple)) or not all(isinstance(e, (list, tuple)) and len(e) == 5 for e in experiences):
            return None
        states, actions, rewards, next_states, dones = zip(*experiences)

        device = self.policy_net.device
        states = torch.tensor(np.array(states), dtype=torch.float32).to(device)
        actions = torch.tensor(actions, dtype=torch.long).unsqueeze(1).to(device)
        rewards = torch.tensor(rewards, dtype=torch.float32).unsqueeze(1).to(device)
        next_states = torch.tensor(np.array(next_states), dtype=torch.float32).to(device)
        dones = torch.tensor(dones, dtype=torch.float32).unsqueeze(1).to(device)
        weights = torch.tensor(weights, dtype=torch.float32).unsqueeze(1).to(device)

        
        loss, td_error = compute_double_dqn_loss(self.policy_net,self.target_net,states,actions,rewards,next_states,dones,self.config['gamma'],weights)

        # Backpropagation
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()

        # Update priorities
        new_priorities = td_error.abs().detach().cpu().numpy().squeeze() + 1e-6
        self.replay_buffer.update_priorities(indices, new_priorities)

        return loss.item()


agent = AdvancedDQNAgent((2, 3, 3), 4)
rng = np.random.default_rng(0)
for _ in range(4):
    agent.store_transition(rng.random((2, 3, 3)), int(rng.integers(4)), 1.0, rng.random((2, 3, 3)), 0.0)
last_loss = agent.update()
