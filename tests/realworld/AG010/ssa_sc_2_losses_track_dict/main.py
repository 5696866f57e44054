# source: https://github.com/jokester-zzz/SSA-SC/issues/2
# expect: AG010
# pitfall: train() hands every batch's loss dict to metrics.losses_track.update_train_losses, which adds the loss tensors themselves into a dict kept for the epoch: every iteration's graph stays alive
# train() is networks/train.py's loop (SSA-SC); the model, dataset, logger, tensorboard writer,
# evaluator and checkpoints are stubbed.
import torch
import torch.nn as nn

from metrics import Metrics


class ModelStub(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Linear(4, 3)

    def get_scales(self):
        return ['1_1']

    def get_train_loss_keys(self):
        return ['total', 'semantic_1_1']

    def get_validation_loss_keys(self):
        return ['total', 'semantic_1_1']

    def compute_loss(self, scores, data):
        semantic = nn.functional.cross_entropy(self.net(data['x']), data['y'])
        return {'total': semantic, 'semantic_1_1': semantic}


def train(model, optimizer, dset, nbr_epochs, start_epoch=1):
    nbr_iterations = len(dset)  # number of iterations depends on batchs size

    # Defining metrics class and initializing them..
    metrics = Metrics(3, nbr_iterations, model.get_scales())
    metrics.losses_track.set_validation_losses(model.get_validation_loss_keys())
    metrics.losses_track.set_train_losses(model.get_train_loss_keys())

    for epoch in range(start_epoch, nbr_epochs + 1):

        model.train()  # put model to training mode

        for t, (data, indices) in enumerate(dset):

            scores = 0

            loss = model.compute_loss(scores, data)

            # Zero out the gradients.
            optimizer.zero_grad()
            # Backward pass: gradient of loss wr. each model parameter.
            loss['total'].backward()
            # update parameters of model by gradients.
            optimizer.step()

            # Updating batch losses to then get mean for epoch loss
            metrics.losses_track.update_train_losses(loss)

        epoch_loss = metrics.losses_track.train_losses['total'] / metrics.losses_track.train_iteration_counts

    return metrics, epoch_loss


model = ModelStub()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
dset = [({'x': torch.randn(2, 4), 'y': torch.tensor([0, 2])}, None) for _ in range(3)]
metrics, epoch_loss = train(model, optimizer, dset, nbr_epochs=1)
