# source: https://github.com/ray-project/ray/pull/40940
# expect: AG010
# pitfall: finetune_hf_llm.py's training loop did loss_sum += loss on the model's loss tensor, so every iteration's graph stayed referenced (the memory leak of ray#40714; fixed with loss.item())
import torch
import torch.nn as nn


class CausalLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.lm_head = nn.Linear(8, 8)

    def forward(self, input_ids, labels):
        logits = self.lm_head(input_ids)
        return nn.functional.cross_entropy(logits, labels)


model = CausalLM()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-5)
train_dataloader = [{"input_ids": torch.randn(4, 8), "labels": torch.randint(0, 8, (4,))} for _ in range(3)]

loss_sum = torch.tensor(0.0)
for step, batch in enumerate(train_dataloader):
    loss = model(**batch)
    loss_sum += loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
print(loss_sum / len(train_dataloader))
