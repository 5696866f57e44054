# source: https://github.com/Liuhong99/Sophia/blob/82b2d821c725943bff3f2cc834008ac4f6059269/README.md
# expect: clean
# pitfall: look-alike: two backwards per Hessian step, but the README runs the model again (`logits, _ = model(X, None)`) before `loss_sampled.backward()`, so the second backward goes through a fresh graph
# The README's training loop; SophiaG is stubbed by an SGD with the two extra methods, and a
# small language model and random tokens stand in for GPT-2 and OpenWebText.
import torch
import torch.nn as nn
import torch.nn.functional as F


class TinyLM(nn.Module):
    def __init__(self, vocab=11, dim=16):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim)
        self.head = nn.Linear(dim, vocab)

    def forward(self, idx, targets=None):
        logits = self.head(torch.tanh(self.emb(idx)))
        if targets is None:
            return logits, None
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss


class SophiaG(torch.optim.SGD):
    def step(self, closure=None, bs=5120):
        return super().step(closure)

    @torch.no_grad()
    def update_hessian(self):
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is not None:
                    self.state[p]['hessian'] = p.grad * p.grad


torch.manual_seed(0)
model = TinyLM()
optimizer = SophiaG(model.parameters(), lr=1e-2)
data_loader = [(torch.randint(0, 11, (2, 6)), torch.randint(0, 11, (2, 6))) for _ in range(4)]
epochs, bs, k = 1, 12, 2
iter_num = -1

# training loop
for epoch in range(epochs):
    for X, Y in data_loader:
        # standard training code
        logits, loss = model(X, Y)
        loss.backward()
        optimizer.step(bs=bs)
        optimizer.zero_grad(set_to_none=True)
        iter_num += 1

        if iter_num % k != k - 1:
            continue
        else:
            # update hessian EMA
            logits, _ = model(X, None)
            samp_dist = torch.distributions.Categorical(logits=logits)
            y_sample = samp_dist.sample()
            loss_sampled = F.cross_entropy(logits.view(-1, logits.size(-1)), y_sample.view(-1), ignore_index=-1)
            loss_sampled.backward()
            optimizer.update_hessian()
            optimizer.zero_grad(set_to_none=True)
            model.zero_grad()
