# source: https://github.com/Lightning-AI/pytorch-lightning/issues/19910
# expect: AG003
# pitfall: test_step calls backward, but the trainer runs the test loop under torch.inference_mode()
import torch
import torch.nn as nn


class LitModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(4, 2)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = nn.functional.cross_entropy(self.layer(x), y)
        return loss

    def test_step(self, batch, batch_idx):
        x, y = batch
        x = x.clone().requires_grad_(True)
        loss = nn.functional.cross_entropy(self.layer(x), y)
        loss.backward()
        self.log("input_grad_norm", x.grad.norm())

    def log(self, name, value):
        print(name, float(value))


class Trainer:
    def test(self, model, dataloaders):
        model.eval()
        with torch.inference_mode():
            for batch_idx, batch in enumerate(dataloaders):
                model.test_step(batch, batch_idx)


mnist_test = [(torch.randn(3, 4), torch.randint(0, 2, (3,)))]
trainer = Trainer()
trainer.test(LitModel(), dataloaders=mnist_test)
