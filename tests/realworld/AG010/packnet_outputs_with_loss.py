# source: https://github.com/TRI-ML/packnet-sfm/pull/51
# expect: AG010
# pitfall: HorovodTrainer.train appended each step's output dict, whose 'loss' still carried its graph, to `outputs` for the whole epoch (the fix detaches the loss before appending)
import torch
import torch.nn as nn


class Module(nn.Module):
    def __init__(self):
        super().__init__()
        self.depth_net = nn.Linear(6, 1)

    def training_step(self, batch, *args):
        loss = (self.depth_net(batch['rgb']) - batch['depth']).abs().mean()
        return {'loss': loss, 'metrics': {}}

    def training_epoch_end(self, outputs):
        return {'avg_train-loss': sum(o['loss'].item() for o in outputs) / len(outputs)}


def train(dataloader, module, optimizer):
    # Set module to train
    module.train()
    # Start training loop
    outputs = []
    # For all batches
    for i, batch in enumerate(dataloader):
        # Reset optimizer
        optimizer.zero_grad()
        output = module.training_step(batch, i)
        # Backprop through loss and take an optimizer step
        output['loss'].backward()
        optimizer.step()
        # Append output to list of outputs
        outputs.append(output)
    # Return outputs for epoch end
    return module.training_epoch_end(outputs), outputs


module = Module()
optimizer = torch.optim.Adam(module.parameters(), lr=2e-4)
loader = [{'rgb': torch.randn(2, 6), 'depth': torch.rand(2, 1)} for _ in range(3)]
result, outputs = train(loader, module, optimizer)
