# source: https://github.com/lyq133/LIC-HPCM/issues/4
# expect: AG010
# pitfall: `loss.update(out_criterion["loss"])` (and the five meters beside it) hands each step's loss tensor to an AverageMeter made before the loop, whose `update` adds it into `self.sum`: every step's graph stays alive for the whole epoch (the slow VRAM leak; the fix in train.py makes `update` take `val.detach().item()`). train.py as of commit d37e2b3; the HPCM codec is replaced by a convolution whose likelihoods are a sigmoid, the dataset by random images, tqdm/tensorboard/argparse are left out
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


class RateDistortionLoss(nn.Module):
    """Custom rate distortion loss with a Lagrangian parameter."""

    def __init__(self, lmbda=1e-2):
        super().__init__()
        self.mse = nn.MSELoss()
        self.lmbda = lmbda

    def forward(self, output, target):
        N, _, H, W = target.size()
        out = {}
        num_pixels = N * H * W

        out["bpp_loss"] = sum(
            (torch.log(likelihoods).sum() / (-math.log(2) * num_pixels))
            for likelihoods in output["likelihoods"].values()
        )
        out['y_bpp'] = torch.log(output['likelihoods']['y']).sum() / (-math.log(2) * num_pixels)
        out['z_bpp'] = torch.log(output['likelihoods']['z']).sum() / (-math.log(2) * num_pixels)
        out["mse_loss"] = self.mse(output["x_hat"], target)
        out["loss"] = self.lmbda * 255 ** 2 * out["mse_loss"] + out["bpp_loss"]
        out["psnr"] = 10 * (torch.log(1 * 1 / out["mse_loss"]) / np.log(10))

        return out

class AverageMeter:
    """Compute running average."""

    def __init__(self):
        self.val = 0
        self.avg = 0
        self.sum = 0
        self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count


class Codec(nn.Module):
    def __init__(self):
        super().__init__()
        self.g = nn.Conv2d(3, 3, 3, padding=1)

    def forward(self, x):
        x_hat = self.g(x)
        return {"x_hat": x_hat, "likelihoods": {"y": torch.sigmoid(x_hat), "z": torch.sigmoid(-x_hat)}}


class Loader(list):
    dataset = range(8)


def train_one_epoch(
    model, criterion, train_dataloader, optimizer, epoch, global_step, clip_max_norm
):
    model.train()
    print(model.training)
    device = next(model.parameters()).device
    loss = AverageMeter()
    bpp_loss = AverageMeter()
    mse_loss = AverageMeter()
    psnr = AverageMeter()
    y_bpp = AverageMeter()
    z_bpp = AverageMeter()

    t_start = time.time()
    for i, d in enumerate(train_dataloader):

        global_step+=1
        d = d.to(device)
        optimizer.zero_grad()
        out_net = model(d)

        out_criterion = criterion(out_net, d)
        out_criterion["loss"].backward()
        if clip_max_norm > 0:
            total_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), clip_max_norm)
            if total_norm.isnan() or total_norm.isinf():
                print("non-finite norm, skip this batch")
                continue
        optimizer.step()

        bpp_loss.update(out_criterion["bpp_loss"])
        loss.update(out_criterion["loss"])
        mse_loss.update(out_criterion["mse_loss"])
        psnr.update(out_criterion["psnr"])
        y_bpp.update(out_criterion["y_bpp"])
        z_bpp.update(out_criterion["z_bpp"])

        if i % 100 == 0 :
            t_end = time.time()-t_start
            t_start = time.time()
            print(
                f"Train epoch {epoch}: ["
                f"{i*len(d)}/{len(train_dataloader.dataset)}"
                f" ({100. * i / len(train_dataloader):.0f}%)]"
                f"\tLoss: {loss.avg:.4f} |"
            )

    return global_step


net = Codec()
optimizer = optim.Adam(net.parameters(), lr=1e-4)
criterion = RateDistortionLoss(lmbda=0.013)
train_dataloader = Loader(torch.rand(2, 3, 8, 8) for _ in range(4))
global_step = train_one_epoch(net, criterion, train_dataloader, optimizer, 0, 0, 1.0)
