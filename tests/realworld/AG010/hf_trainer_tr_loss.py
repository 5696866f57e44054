# source: https://github.com/huggingface/transformers/pull/6999
# expect: AG010
# pitfall: Trainer.train did tr_loss += self.training_step(model, inputs) where training_step returned the loss tensor, not detached: variables were kept forever for a backward that never came (RAM grew until exhausted, #6939)
import torch
import torch.nn as nn


class Trainer:
    def __init__(self, model, optimizer):
        self.model = model
        self.optimizer = optimizer

    def training_step(self, model, inputs):
        model.train()
        loss = nn.functional.mse_loss(model(inputs["x"]), inputs["y"])
        loss.backward()
        return loss

    def train(self, train_dataloader):
        tr_loss = torch.tensor(0.0)
        self.model.zero_grad()
        for step, inputs in enumerate(train_dataloader):
            tr_loss += self.training_step(self.model, inputs)
            self.optimizer.step()
            self.model.zero_grad()
        return tr_loss / len(train_dataloader)


model = nn.Linear(4, 1)
trainer = Trainer(model, torch.optim.SGD(model.parameters(), lr=0.1))
trainer.train([{"x": torch.randn(2, 4), "y": torch.randn(2, 1)} for _ in range(3)])
