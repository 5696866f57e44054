# source: https://github.com/vishesh-kumar-singh/Atari-Breakout-DoubleDQN/blob/main/Agent_Implementation.py
# expect: AG008
# pitfall: `DQNAgent.train` (an early version of the file) sums the squared TD errors of `self.Q`, whose graph reaches the Q-network, then rebuilds the sum as `loss = torch.tensor(loss, requires_grad=True)`: a new leaf with no history, so `loss.backward()` runs but no parameter of `self.Q` receives a gradient and `self.optimizer.step()` never changes it. The config module's constants are given here, the convolutional DQN is a linear layer over flat frames, the replay buffer is filled with random transitions
import random
import copy
import numpy as np
from collections import deque

import torch
import torch.optim as optim

game_num_actions, k_frames, game_frame_height, game_frame_width = 4, 2, 3, 3
batch = 4
epsilon = 0.1


class DQN(torch.nn.Module):
    def __init__(self, num_actions, k, h, w):
        super().__init__()
        self.fc = torch.nn.Linear(k * h * w, num_actions)

    def forward(self, x):
        return self.fc(x.flatten(-3))


class DQNAgent:
    def __init__(self, game_env, capacity):
        self.capacity = capacity
        self.buffer = deque(maxlen=capacity)
        self.env = game_env

        self.Q = DQN(game_num_actions, k_frames, game_frame_height, game_frame_width)
        self.target_Q = None
        self.optimizer = optim.Adam(self.Q.parameters(), lr=0.0001)

    def train(self):
        minibatch = self.sample_experiences(batch_size=batch)

        state_batch = torch.cat([info[0] for info in minibatch], dim=0)
        action_batch = torch.tensor([info[1] for info in minibatch])
        reward_batch = torch.tensor([info[2] for info in minibatch])
        next_state = torch.cat([info[3] for info in minibatch], dim=0)
        terminated_batch = torch.tensor([info[4] for info in minibatch])

        # 推广到整个batch
        loss = 0
        for i in range(batch):
            one_state = state_batch[i]
            one_action = action_batch[i]
            one_reward = reward_batch[i]
            one_next_state = next_state[i]
            one_terminated = terminated_batch[i]

            if one_terminated:
                y_pred = one_reward
            else:
                gamma = 0.1
                y_pred = one_reward + gamma * torch.max(self.target_Q(one_next_state)).item()
            loss += (y_pred - self.Q(one_state)[one_action]) ** 2

        loss /= batch

        loss = torch.tensor(loss, requires_grad=True)

        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()

    def update(self):
        self.target_Q = copy.deepcopy(self.Q)

    # ----- ReplayMemory method -----
    def add(self, experience):
        self.buffer.append(experience)

    # ----- ReplayMemory method -----
    def sample_experiences(self, batch_size):
        return random.sample(self.buffer, batch_size)


agent = DQNAgent(None, 100)
agent.update()
for _ in range(8):
    agent.add((torch.randn(1, k_frames, game_frame_height, game_frame_width), random.randrange(game_num_actions),
               1.0, torch.randn(1, k_frames, game_frame_height, game_frame_width), False))
agent.train()
