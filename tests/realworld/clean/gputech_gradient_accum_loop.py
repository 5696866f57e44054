# source: https://github.com/kobongsoo/GPUTech/blob/main/reference/gradient_accum_training_loop.py
# expect: clean
# pitfall: look-alike for AG015: batch accumulation, the update (step + zero_grad) every accumulation_steps batches or at the last batch
import torch
import torch.nn as nn

device = "cpu"
model = nn.Linear(4, 3)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
data_loader = [(torch.randn(8, 4), torch.randint(0, 3, (8,))) for _ in range(5)]

# batch accumulation parameter
accumulation_steps = 8 # we want to do model's update only after 64 images being processed

# loop through enumaretad batches
for batch_idx, (inputs, targets) in enumerate(data_loader):

    # extract inputs and labels
    inputs = inputs.to(device)
    targets = targets.to(device)

    # forward pass
    preds = model(inputs)
    loss  = criterion(preds, targets)

    # normalize loss to account for batch accumulation
    loss = loss / accumulation_steps

    # backward pass
    loss.backward()

    # weights update
    if ((batch_idx + 1) % accumulation_steps == 0) or (batch_idx + 1 == len(data_loader)):
        optimizer.step()
        optimizer.zero_grad()
