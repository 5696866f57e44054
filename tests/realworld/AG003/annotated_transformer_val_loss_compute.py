# source: https://github.com/harvardnlp/annotated-transformer/issues/14
# expect: AG003
# pitfall: validation runs run_epoch under torch.no_grad(), but SimpleLossCompute.__call__ always calls loss.backward()
import torch
import torch.nn as nn


class SimpleLossCompute:
    "A simple loss compute and train function."
    def __init__(self, generator, criterion, opt=None):
        self.generator = generator
        self.criterion = criterion
        self.opt = opt

    def __call__(self, x, y, norm):
        x = self.generator(x)
        loss = self.criterion(x.contiguous().view(-1, x.size(-1)),
                              y.contiguous().view(-1)) / norm
        loss.backward()
        if self.opt is not None:
            self.opt.step()
            self.opt.zero_grad()
        return loss.item() * norm


class Batch:
    def __init__(self, src, trg_y):
        self.src = src
        self.trg_y = trg_y
        self.ntokens = trg_y.numel()


class TinyModel(nn.Module):
    def __init__(self, vocab=7, d_model=8):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.generator = nn.Sequential(nn.Linear(d_model, vocab), nn.LogSoftmax(dim=-1))

    def forward(self, src):
        return torch.tanh(self.embed(src))


def run_epoch(data_iter, model, loss_compute):
    "Standard Training and Logging Function"
    total_tokens = 0
    total_loss = 0
    for i, batch in enumerate(data_iter):
        out = model.forward(batch.src)
        loss = loss_compute(out, batch.trg_y, batch.ntokens)
        total_loss += loss
        total_tokens += batch.ntokens
    return total_loss / total_tokens


model = TinyModel()
criterion = nn.NLLLoss(reduction="sum")
val_dataloader = [Batch(torch.randint(0, 7, (2, 5)), torch.randint(0, 7, (2, 5))) for _ in range(2)]

model.eval()
with torch.no_grad():
    test_loss = run_epoch(val_dataloader, model,
                          SimpleLossCompute(model.generator, criterion, None))
    print("test_loss", test_loss)
