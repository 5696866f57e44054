# source: https://github.com/locuslab/convex_adversarial/issues/34 (examples/trainer.py and examples/attacks.py at 2cd8149249b9e90383af10fc7e9b9fe90166813e)
# expect: AG003
# pitfall: `evaluate_robust` turns autograd off for the whole evaluation with `torch.set_grad_enabled(False)`; with its `_,pgd_err = _pgd(model, Variable(X), Variable(y), epsilon)` line uncommented (as the issue does), `_pgd` in attacks.py builds `loss = nn.CrossEntropyLoss()(model(X_pgd), y)` with grad mode still off, and `loss.backward()` raises "element 0 of tensors does not require grad and does not have a grad_fn" (the maintainer: re-enable gradients before the attack). The convex `robust_loss` bound, the timing meters and the printing are left out, the CIFAR/MNIST loader is a list of random batches, `.cuda()` is dropped, the attack runs 2 iterations instead of 100, and the driver restores grad mode afterwards
import torch
import torch.nn as nn
from torch.autograd import Variable

from attacks import _pgd


class AverageMeter(object):
    """Computes and stores the average and current value"""
    def __init__(self):
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


def evaluate_robust(loader, model, epsilon, epoch, log, verbose, 
                    real_time=False, parallel=False, **kwargs):
    losses = AverageMeter()
    errors = AverageMeter()

    model.eval()

    torch.set_grad_enabled(False)
    for i, (X,y) in enumerate(loader):
        X,y = X, y.long()
        if y.dim() == 2: 
            y = y.squeeze(1)

        out = model(Variable(X))
        ce = nn.CrossEntropyLoss()(out, Variable(y))
        err = (out.max(1)[1] != y).float().sum()  / X.size(0)

        _,pgd_err = _pgd(model, Variable(X), Variable(y), epsilon, niters=2)

        # measure accuracy and record loss
        losses.update(ce.item(), X.size(0))
        errors.update(err, X.size(0))


class Flatten(nn.Module):
    def forward(self, x):
        return x.view(x.size(0), -1)


model = nn.Sequential(Flatten(), nn.Linear(16, 10))
loader = [(torch.rand(4, 1, 4, 4), torch.randint(0, 10, (4,))) for _ in range(2)]
try:
    evaluate_robust(loader, model, 0.1, 0, None, False)
finally:
    torch.set_grad_enabled(True)
