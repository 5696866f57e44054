# source: https://github.com/bubbliiiing/yolo3-pytorch/issues/3 (train.py at 947ea83)
# expect: AG010
# pitfall: `fit_ont_epoch` does `total_loss += loss` with the backpropagated training loss, so the epoch's running total holds every iteration's graph until the epoch ends (the issue: GPU memory can overflow; should be `loss.item()`); the validation loop's `val_loss += loss` runs under `torch.no_grad()` and keeps nothing. YoloBody is three linear heads over a flat image, YOLOLoss a mean squared error against the first box of the targets, the data generators random numpy batches, `.cuda()`, DataParallel, the pretrained weights are left out, the checkpoint save (which reads both totals) is a `return` of them
import time
import numpy as np
import torch
from torch.autograd import Variable
import torch.nn as nn
import torch.optim as optim


class YoloBody(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = nn.Linear(12, 8)
        self.heads = nn.ModuleList(nn.Linear(8, 5) for _ in range(3))

    def forward(self, x):
        f = torch.relu(self.backbone(x.flatten(1)))
        return [head(f) for head in self.heads]


class YOLOLoss(nn.Module):
    def forward(self, input, targets):
        target = torch.stack([t[0] for t in targets])
        loss = ((input - target) ** 2).mean()
        return loss, loss.detach()


def generate(batch_size):
    while True:
        yield np.random.rand(batch_size, 3, 2, 2), [np.random.rand(2, 5) for _ in range(batch_size)]


def fit_ont_epoch(net,yolo_losses,epoch,epoch_size,epoch_size_val,gen,genval,Epoch):
    total_loss = 0
    val_loss = 0
    for iteration in range(epoch_size):
        start_time = time.time()
        images, targets = next(gen)
        with torch.no_grad():
            images = Variable(torch.from_numpy(images).type(torch.FloatTensor))
            targets = [Variable(torch.from_numpy(ann).type(torch.FloatTensor)) for ann in targets]

        optimizer.zero_grad()
        outputs = net(images)
        losses = []
        for i in range(3):
            loss_item = yolo_losses[i](outputs[i], targets)
            losses.append(loss_item[0])
        loss = sum(losses)
        loss.backward()
        optimizer.step()

        total_loss += loss
        waste_time = time.time() - start_time
        print('\nEpoch:'+ str(epoch+1) + '/' + str(Epoch))
        print('iter:' + str(iteration) + '/' + str(epoch_size) + ' || Total Loss: %.4f || %.4fs/step' % (total_loss/(iteration+1),waste_time))

    print('Start Validation')
    for iteration in range(epoch_size_val):
        images_val, targets_val = next(gen_val)

        with torch.no_grad():
            images_val = Variable(torch.from_numpy(images_val).type(torch.FloatTensor))
            targets_val = [Variable(torch.from_numpy(ann).type(torch.FloatTensor)) for ann in targets_val]
            optimizer.zero_grad()
            outputs = net(images_val)
            losses = []
            for i in range(3):
                loss_item = yolo_losses[i](outputs[i], targets_val)
                losses.append(loss_item[0])
            loss = sum(losses)
            val_loss += loss
    print('Finish Validation')
    print('\nEpoch:'+ str(epoch+1) + '/' + str(Epoch))
    print('Total Loss: %.4f || Val Loss: %.4f ' % (total_loss/(epoch_size+1),val_loss/(epoch_size_val+1)))
    return total_loss, val_loss


model = YoloBody()
net = model
yolo_losses = []
for i in range(3):
    yolo_losses.append(YOLOLoss())

lr = 1e-4
Batch_size = 2
optimizer = optim.Adam(net.parameters(),lr)
gen = generate(Batch_size)
gen_val = generate(Batch_size)
epoch_size = 3
epoch_size_val = 2
for param in model.backbone.parameters():
    param.requires_grad = False
total_loss, val_loss = fit_ont_epoch(net,yolo_losses,0,epoch_size,epoch_size_val,gen,gen_val,1)
