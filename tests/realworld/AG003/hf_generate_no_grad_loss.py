# source: https://github.com/huggingface/transformers/issues/28319
# expect: AG003
# pitfall: generate() is decorated with @torch.no_grad(), so a loss computed from its scores cannot be backpropagated
import torch
import torch.nn as nn


class GenerationMixin:
    @torch.no_grad()
    def generate(self, input_ids, max_new_tokens=3):
        scores = []
        for _ in range(max_new_tokens):
            logits = self(input_ids)[:, -1, :]
            scores.append(logits)
            next_tokens = logits.argmax(-1, keepdim=True)
            input_ids = torch.cat([input_ids, next_tokens], dim=-1)
        return input_ids, torch.stack(scores, dim=1)


class TinyLM(nn.Module, GenerationMixin):
    def __init__(self, vocab=11, d=8):
        super().__init__()
        self.emb = nn.Embedding(vocab, d)
        self.lm_head = nn.Linear(d, vocab)

    def forward(self, input_ids):
        return self.lm_head(torch.tanh(self.emb(input_ids)))


model = TinyLM()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
prompt = torch.randint(0, 11, (2, 4))
target = torch.randint(0, 11, (2, 3))
sequences, scores = model.generate(prompt)
loss = nn.functional.cross_entropy(scores.reshape(-1, 11), target.reshape(-1))
loss.backward()
optimizer.step()
