# source: https://github.com/dropreg/R-Drop/issues/8
# expect: AG004
# pitfall: the R-Drop criterion already calls optimizer.backward(loss) and the task's train_step calls it again on the same loss
import torch
import torch.nn as nn
import torch.nn.functional as F


class Optimizer:
    def __init__(self, params):
        self.opt = torch.optim.SGD(params, lr=0.1)

    def backward(self, loss):
        loss.backward()


class RDropCrossEntropyLoss:
    def forward_reg(self, model, sample, optimizer, reg_alpha, ignore_grad):
        x, target = sample
        logits = model(torch.cat([x, x.clone()], 0))
        p, q = logits.chunk(2)
        ce = F.cross_entropy(p, target) + F.cross_entropy(q, target)
        kl = F.kl_div(F.log_softmax(p, -1), F.softmax(q, -1), reduction="batchmean")
        loss = ce + reg_alpha * kl
        if ignore_grad:
            loss *= 0
        with torch.autograd.profiler.record_function("backward"):
            optimizer.backward(loss)
        return loss, x.size(0), {}


class RDropTranslationTask:
    def train_step(self, sample, model, criterion, optimizer, update_num, ignore_grad=False):
        model.train()
        loss, sample_size, logging_output = criterion.forward_reg(model, sample, optimizer, 0.7, ignore_grad)
        if ignore_grad:
            loss *= 0
        with torch.autograd.profiler.record_function("backward"):
            optimizer.backward(loss)
        return loss, sample_size, logging_output


model = nn.Sequential(nn.Linear(6, 8), nn.Dropout(0.1), nn.Tanh(), nn.Linear(8, 4))
optimizer = Optimizer(model.parameters())
task = RDropTranslationTask()
sample = (torch.randn(3, 6), torch.randint(0, 4, (3,)))
task.train_step(sample, model, RDropCrossEntropyLoss(), optimizer, 0)
