# source: https://github.com/BatsResearch/labelmodels/blob/3b5683bef7ee902dc205a8cd93572b05b88dbad5/labelmodels/label_model.py
# expect: AG010
# pitfall: `running_loss += loss` in the base class's `_do_estimate_label_model` adds each batch's loss tensor (it requires grad: the log-likelihood of the model's parameters plus the regularisation term), so every batch's graph stays alive until the epoch ends; issue https://github.com/BatsResearch/labelmodels/issues/4 ran out of GPU memory and the fix is `running_loss += loss.item()`. The naive-Bayes subclass is reduced to a log-softmax likelihood over its two parameters, the config to its attributes
import logging
import numpy as np
import torch
import torch.nn as nn


class LabelModel(nn.Module):
    """Parent class for all generative label models."""

    def _do_estimate_label_model(self, batches, config):
        """Internal method for optimizing model parameters."""
        logging.info(vars(config))

        # Sets up optimization hyperparameters
        optimizer = torch.optim.SGD(
            self.parameters(), lr=config.step_size, momentum=config.momentum,
            weight_decay=0)
        if config.step_schedule is not None and config.step_size_mult is not None:
            scheduler = torch.optim.lr_scheduler.MultiStepLR(
                optimizer, config.step_schedule, gamma=config.step_size_mult)
        else:
            scheduler = None

        # Iterates over epochs
        for epoch in range(config.epochs):
            logging.info('Epoch {}/{}'.format(epoch + 1, config.epochs))
            if scheduler is not None:
                scheduler.step()

            # Sets model to training mode
            self.train()
            running_loss = 0.0

            # Iterates over training data
            for i_batch, inputs in enumerate(batches):
                optimizer.zero_grad()
                log_likelihood = self(*inputs)
                loss = -1 * torch.mean(log_likelihood)
                loss += self._get_regularization_loss()
                loss.backward()
                optimizer.step()
                running_loss += loss
            epoch_loss = running_loss / len(batches)
            logging.info('Train Loss: %.6f', epoch_loss)
        self.last_epoch_loss = epoch_loss

    def _get_regularization_loss(self):
        return 0.0


class NaiveBayes(LabelModel):
    def __init__(self, num_classes, num_lfs, init_acc=.9, acc_prior=0.025):
        super().__init__()
        init_acc = -1 * np.log(1.0 / init_acc - 1) / 2
        self.accuracy = nn.Parameter(torch.full((num_lfs, num_classes), float(init_acc)))
        self.propensity = nn.Parameter(torch.zeros([num_lfs]))
        self.init_acc = init_acc
        self.acc_prior = acc_prior

    def forward(self, votes):
        scores = votes @ (self.accuracy + self.propensity.unsqueeze(1))
        return torch.logsumexp(torch.log_softmax(scores, dim=1), dim=1)

    def _get_regularization_loss(self):
        return self.acc_prior * torch.norm(self.accuracy - self.init_acc)


class LearningConfig(object):
    def __init__(self):
        self.epochs = 2
        self.batch_size = 64
        self.step_size = 0.01
        self.step_schedule = None
        self.step_size_mult = None
        self.momentum = 0.9
        self.random_seed = 0


model = NaiveBayes(2, 3)
batches = [(torch.rand(8, 3),) for _ in range(3)]
model._do_estimate_label_model(batches, LearningConfig())
