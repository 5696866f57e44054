# source: https://github.com/OpenNMT/OpenNMT-py/issues/2153
# expect: AG004
# pitfall: an extra classification loss on the encoder output is backpropagated inside LossComputeBase.__call__, and the translation loss through the same encoder is backpropagated again afterwards
import torch
import torch.nn as nn


class Statistics:
    def __init__(self, loss=0.0):
        self.loss = loss

    def update(self, stat):
        self.loss += stat.loss


class LossComputeBase(nn.Module):
    def __init__(self, generator, classifier):
        super().__init__()
        self.generator = generator
        self.classifier = classifier
        self.criterion = nn.CrossEntropyLoss()

    def _compute_class_loss(self, stargets_logits, stargets_refs):
        loss = self.criterion(stargets_logits, stargets_refs)
        return loss, Statistics(loss.item())

    def __call__(self, batch, output, enc_out, stargets_refs):
        batch_stats = Statistics()
        stargets_logits = self.classifier(enc_out.mean(0))
        class_loss, class_stats = self._compute_class_loss(stargets_logits, stargets_refs)
        class_loss.backward()
        batch_stats.update(class_stats)
        scores = self.generator(output)
        loss = self.criterion(scores.view(-1, scores.size(-1)), batch.view(-1))
        return loss, batch_stats


encoder = nn.LSTM(8, 8)
decoder = nn.Linear(8, 8)
compute = LossComputeBase(nn.Linear(8, 11), nn.Linear(8, 2))
src = torch.randn(5, 2, 8)
tgt = torch.randint(0, 11, (5, 2))
enc_out, _ = encoder(src)
dec_out = torch.tanh(decoder(enc_out))
loss, stats = compute(tgt, dec_out, enc_out, torch.tensor([0, 1]))
loss.backward()
