# source: https://github.com/grantsrb/supervised_gym/blob/9e8d0b16811509984e21cc2ad2626ad8dbe184e6/training_scripts/main.py
# expect: AG014
# pitfall: the training entry point turns anomaly detection on at module level, for the whole run (every backward of every step pays for it); the package's `run_training(sg.training.train)` is replaced by a short training function, the forkserver start method is dropped
import torch


def run_training(train):
    train()


def train():
    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.Adam(model.parameters())
    for step in range(2):
        loss = model(torch.randn(3, 4)).pow(2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


torch.autograd.set_detect_anomaly(True)

if __name__ == "__main__":
    run_training(train)
