# source: https://github.com/Jee-King/TSAN/issues/3
# expect: AG002
# pitfall: CSB.forward writes its result into its input (out = x; out[...] = ...) after DRB's convolutions saved that input; the trainer's loss.backward() raises
# The model is Train/model/tsan.py's MCAB (as its __main__ builds it: n_denselayer=2), the loop
# Train/trainer.py's train(); data loader, scheduler, logging and checkpointing are stubbed.
import torch
import torch.nn as nn

from tsan import MCAB


class Trainer():
    def __init__(self, loader_train, my_model, my_loss):
        self.loader_train = loader_train
        self.model = my_model
        self.loss = my_loss
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-4)

    def train(self):
        self.model.train()
        for batch, (lr, hr) in enumerate(self.loader_train):
            self.optimizer.zero_grad()
            sr = self.model(lr)
            loss = self.loss(sr, hr)
            loss.backward()
            self.optimizer.step()


net = MCAB(n_channels=64, n_denselayer=2, n_feats=64)
loader = [(torch.randn(1, 64, 8, 8), torch.randn(1, 64, 8, 8))]
t = Trainer(loader, net, nn.L1Loss())
t.train()
