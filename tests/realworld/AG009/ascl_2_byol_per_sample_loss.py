# source: https://github.com/MrChenFeng/Adaptive-Soft-Contrastive-Learning_ICPR2022/issues/2 (model.py at 0b1341cf4b0be308e47bc3518022db36e19a00f2, main.py and utils.py at b31e15b512a4969f549e1516de1dd5fd5cdb2063)
# expect: AG009
# pitfall: with `--model byol`, `ASCL._forward_byol` returns `loss = 2 - 2 * (hq * k.detach()).sum(dim=-1)`, one value per image (the moco path ends in `.mean()`), and `train` calls `loss.backward()` on it: "grad can be implicitly created only for scalar outputs" (the issue: when using the byol model the loss is not a scalar). The CIFAR ResNet encoders are linear layers, the type is 'normal' (no neighbour labels, whose branch needs CUDA), `torch.randn(dim, K)` reads `self.K`, the `.cuda()` moves, tqdm, the lr schedule and wandb are left out
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class AverageMeter(object):
    """Computes and stores the average and current value"""
    def __init__(self, name, fmt=':f'):
        self.name = name
        self.fmt = fmt
        self.reset()

    def reset(self):
        self.val = 0
        self.avg = 0
        self.sum = 0
        self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count


class ModelBase(nn.Module):
    def __init__(self, projection_dim=128, feat_dim=32):
        super(ModelBase, self).__init__()
        self.net = nn.Sequential(nn.Flatten(1), nn.Linear(48, feat_dim), nn.ReLU())
        self.feat_dim = feat_dim
        self.projector = nn.Sequential(
            nn.Linear(self.feat_dim, 64),
            nn.ReLU(True),
            nn.Linear(64, projection_dim)
        )

    def forward(self, x, feat=False):
        x = self.net(x)
        if feat:
            return x
        else:
            x = self.projector(x)
            return x


class ASCL(nn.Module):
    def __init__(self, model='moco', dim=128, mem_size=4096, m=0.99, T1=0.1, T2=0.05, type='ascl', nn_num=1):
        super(ASCL, self).__init__()

        self.K = mem_size
        self.m = m
        self.T1 = T1
        self.T2 = T2
        self.type = type
        self.model = model
        self.nn_num = nn_num
        # create the encoders
        self.encoder_q = ModelBase(projection_dim=dim)
        self.encoder_k = ModelBase(projection_dim=dim)

        if self.model == 'byol':
            self.predictor = torch.nn.Sequential(torch.nn.Linear(dim, 512),
                                                 torch.nn.BatchNorm1d(512),
                                                 torch.nn.ReLU(),
                                                 torch.nn.Linear(512, 128))

        for param_q, param_k in zip(self.encoder_q.parameters(), self.encoder_k.parameters()):
            param_k.data.copy_(param_q.data)  # initialize
            param_k.requires_grad = False  # not update by gradient

        self.max_entropy = np.log(self.K)

        # create the queue
        self.register_buffer("queue", torch.randn(dim, self.K))
        self.queue = nn.functional.normalize(self.queue, dim=0)
        self.register_buffer('labels', -1 * torch.ones(self.K).long())
        self.register_buffer("queue_ptr", torch.zeros(1, dtype=torch.long))

    @torch.no_grad()
    def _momentum_update_key_encoder(self):
        """
        Momentum update of the key encoder
        """
        for param_q, param_k in zip(self.encoder_q.parameters(), self.encoder_k.parameters()):
            param_k.data = param_k.data * self.m + param_q.data * (1. - self.m)

    @torch.no_grad()
    def _dequeue_and_enqueue(self, keys, labels):
        batch_size = keys.shape[0]

        ptr = int(self.queue_ptr)
        assert self.K % batch_size == 0  # for simplicity

        # replace the keys at ptr (dequeue and enqueue)
        self.queue[:, ptr:ptr + batch_size] = keys.t()  # transpose
        self.labels[ptr:ptr + batch_size] = labels

        ptr = (ptr + batch_size) % self.K  # move pointer

        self.queue_ptr[0] = ptr

    def _forward_byol(self, im_q, im_k, targets):
        # update the key encoder
        with torch.no_grad():  # no gradient to keys
            self._momentum_update_key_encoder()

        q = self.encoder_q(im_q)  # queries: NxC
        k = self.encoder_k(im_k)  # keys: NxC
        hq = self.predictor(q)
        hq = F.normalize(hq, dim=-1, p=2)
        k = F.normalize(k, dim=-1, p=2)

        loss = 2 - 2 * (hq * k.detach()).sum(dim=-1)

        self._dequeue_and_enqueue(k, targets)

        return loss

    def forward(self, im_q, im_k, targets):
        if self.model == 'byol':
            loss = self._forward_byol(im_q, im_k, targets)
        else:
            raise ValueError(f'Wrong model! Should be moco or byol rather than {self.model}!')
        return loss


# train for one epoch
def train(net, data_loader, train_optimizer, epoch, args):
    net.train()
    total_loss = AverageMeter('loss')
    for i, [[im_1, im_2], targets] in enumerate(data_loader):
        loss = net(im_1, im_2, targets)

        train_optimizer.zero_grad()
        loss.backward()
        train_optimizer.step()

        total_loss.update(loss, im_1.size(0))

    return total_loss.avg


model = ASCL(model='byol', dim=128, mem_size=64, type='normal')
optimizer = torch.optim.SGD(model.parameters(), lr=0.03, weight_decay=5e-4, momentum=0.9)
train_loader = [[[torch.randn(8, 3, 4, 4), torch.randn(8, 3, 4, 4)], torch.randint(0, 10, (8,))] for _ in range(2)]
train_loss = train(model, train_loader, optimizer, 0, None)
