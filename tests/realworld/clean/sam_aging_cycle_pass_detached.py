# source: https://github.com/yuval-alaluf/SAM/blob/138b887d598e96aacbd5387f69eaae79e8cd7946/training/coach_aging.py
# expect: clean
# pitfall: none: Coach.train calls `loss.backward()` twice per step, but the cycle pass starts from `y_hat_clone = y_hat.clone().detach().requires_grad_(True)`, a new leaf, so the second backward never reaches the first pass's freed graph (the maintainers' answer in https://github.com/yuval-alaluf/SAM/issues/42). The pSp encoder/StyleGAN decoder are replaced by one conv, the age classifier by the mean of the last channel, calc_loss by its l2 term
import random

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Conv2d(4, 3, 3, padding=1)

    def forward(self, x, return_latents=False):
        y_hat = torch.tanh(self.encoder(x))
        return y_hat, y_hat.mean(dim=(2, 3))


class AgingLoss:
    def extract_ages(self, x):
        return x.mean(dim=(1, 2, 3)) * 100.


class Coach:
    def __init__(self):
        self.device = "cpu"
        self.net = Net()
        self.aging_loss = AgingLoss()
        self.optimizer = torch.optim.Adam(self.net.encoder.parameters(), lr=1e-4)
        self.train_dataloader = [(torch.rand(2, 3, 8, 8), torch.rand(2, 3, 8, 8))]
        self.global_step = 0

    def perform_forward_pass(self, x):
        y_hat, latent = self.net.forward(x, return_latents=True)
        return y_hat, latent

    def __set_target_to_source(self, x):
        input_ages = self.aging_loss.extract_ages(x) / 100.
        return [torch.cat((img, age * torch.ones((1, img.shape[1], img.shape[2])).to(self.device)))
                for img, age in zip(x, input_ages)]

    def calc_loss(self, x, y, y_hat, latent, target_ages, no_aging, data_type="real"):
        loss_dict = {}
        loss_l2 = F.mse_loss(y_hat, y)
        loss_dict[f'loss_l2_{data_type}'] = float(loss_l2)
        loss = loss_l2
        loss_dict[f'loss_{data_type}'] = float(loss)
        return loss, loss_dict, []

    def train(self):
        self.net.train()
        for batch_idx, batch in enumerate(self.train_dataloader):
            x, y = batch
            x, y = x.to(self.device).float(), y.to(self.device).float()
            self.optimizer.zero_grad()

            # perform no aging in 33% of the time
            no_aging = random.random() <= (1. / 3)
            x_input = self.__set_target_to_source(x)

            x_input = torch.stack(x_input)
            target_ages = x_input[:, -1, 0, 0]

            # perform forward/backward pass on real images
            y_hat, latent = self.perform_forward_pass(x_input)
            loss, loss_dict, id_logs = self.calc_loss(x, y, y_hat, latent,
                                                      target_ages=target_ages,
                                                      no_aging=no_aging,
                                                      data_type="real")
            loss.backward()

            # perform cycle on generate images by reversing the aging amount
            y_hat_clone = y_hat.clone().detach().requires_grad_(True)
            y_hat_inverse = self.__set_target_to_source(y_hat_clone)
            y_hat_inverse = torch.stack(y_hat_inverse)
            reverse_target_ages = y_hat_inverse[:, -1, 0, 0]
            y_recovered, latent_cycle = self.perform_forward_pass(y_hat_inverse)
            loss, cycle_loss_dict, cycle_id_logs = self.calc_loss(x, y, y_recovered, latent_cycle,
                                                                  target_ages=reverse_target_ages,
                                                                  no_aging=no_aging,
                                                                  data_type="cycle")
            loss.backward()
            self.optimizer.step()

            loss_dict.update(cycle_loss_dict)
            loss_dict["loss"] = loss_dict["loss_real"] + loss_dict["loss_cycle"]
            self.global_step += 1


coach = Coach()
coach.train()
