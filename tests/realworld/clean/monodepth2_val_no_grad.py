# source: https://github.com/nianticlabs/monodepth2/issues/24
# expect: clean
# pitfall: look-alike: the original Trainer.val() only logs losses computed under torch.no_grad(); no backward there
import torch
import torch.nn as nn


class Trainer:
    def __init__(self):
        self.models = {"encoder": nn.Linear(6, 8), "depth": nn.Linear(8, 1)}
        params = [p for m in self.models.values() for p in m.parameters()]
        self.model_optimizer = torch.optim.Adam(params, 1e-4)
        self.val_iter = iter([{"color": torch.randn(2, 6), "depth_gt": torch.rand(2, 1)} for _ in range(3)])
        self.logged = []

    def set_train(self):
        for m in self.models.values():
            m.train()

    def set_eval(self):
        for m in self.models.values():
            m.eval()

    def process_batch(self, inputs):
        features = torch.relu(self.models["encoder"](inputs["color"]))
        outputs = {"disp": torch.sigmoid(self.models["depth"](features))}
        losses = self.compute_losses(inputs, outputs)
        return outputs, losses

    def compute_losses(self, inputs, outputs):
        losses = {}
        losses["loss"] = (outputs["disp"] - inputs["depth_gt"]).abs().mean()
        return losses

    def log(self, mode, inputs, outputs, losses):
        self.logged.append((mode, losses["loss"].item()))

    def val(self):
        """Validate the model on a single minibatch
        """
        self.set_eval()
        inputs = next(self.val_iter)

        with torch.no_grad():
            outputs, losses = self.process_batch(inputs)
            self.log("val", inputs, outputs, losses)
            del inputs, outputs, losses

        self.set_train()

    def run_epoch(self):
        self.set_train()
        inputs = {"color": torch.randn(2, 6), "depth_gt": torch.rand(2, 1)}
        outputs, losses = self.process_batch(inputs)
        self.model_optimizer.zero_grad()
        losses["loss"].backward()
        self.model_optimizer.step()
        self.val()


Trainer().run_epoch()
