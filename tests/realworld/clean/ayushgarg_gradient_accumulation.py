# source: https://ayushgarg.ca/notes/Gradient-Accumulation
# expect: clean
# pitfall: look-alike for AG015: loss divided by accumulation_steps, backward every step, optimizer.step() and zero_grad() every accumulation_steps steps
import torch
import torch.nn as nn

model = nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
dataloader = [torch.randn(8, 4) for _ in range(8)]
accumulation_steps = 4


def compute_loss(outputs, batch):
    return outputs.pow(2).mean()


optimizer.zero_grad()

for step, batch in enumerate(dataloader):
    outputs = model(batch)
    loss = compute_loss(outputs, batch)
    loss = loss / accumulation_steps
    loss.backward()

    if (step + 1) % accumulation_steps == 0:
        optimizer.step()
        optimizer.zero_grad()
