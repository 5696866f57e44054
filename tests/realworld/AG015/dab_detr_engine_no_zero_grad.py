# source: https://github.com/IDEA-Research/DAB-DETR/issues/58
# expect: AG015
# pitfall: the non-amp branch of train_one_epoch calls losses.backward() and optimizer.step() with no optimizer.zero_grad() (only the amp branch zeroes); amp is off here
import math
import sys

import torch
import torch.nn as nn


def train_one_epoch(model, criterion, data_loader, optimizer, device, epoch, max_norm=0):
    model.train()
    criterion.train()
    for samples, targets in data_loader:
        samples = samples.to(device)
        outputs = model(samples)
        loss_dict = {'loss_bbox': criterion(outputs, targets)}
        weight_dict = {'loss_bbox': 5.0}
        losses = sum(loss_dict[k] * weight_dict[k] for k in loss_dict.keys() if k in weight_dict)

        loss_value = losses.item()
        if not math.isfinite(loss_value):
            print("Loss is {}, stopping training".format(loss_value))
            sys.exit(1)

        # original backward function
        losses.backward()
        if max_norm > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
        optimizer.step()


model = nn.Linear(4, 4)
criterion = nn.L1Loss()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
loader = [(torch.randn(2, 4), torch.rand(2, 4)) for _ in range(3)]
train_one_epoch(model, criterion, loader, optimizer, "cpu", 0, max_norm=0.1)
