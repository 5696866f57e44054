# source: https://discuss.pytorch.org/t/pytorch-gradient-accumulation/55955
# expect: clean
# pitfall: look-alike for AG015: gradient accumulation on purpose, optimizer.step() and model.zero_grad() every accumulation_steps batches
import torch
import torch.nn as nn

model = nn.Linear(4, 1)
loss_function = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
training_set = [(torch.randn(2, 4), torch.randn(2, 1)) for _ in range(4)]
accumulation_steps = 2

model.zero_grad()                                   # Reset gradients tensors
for i, (inputs, labels) in enumerate(training_set):
    predictions = model(inputs)                     # Forward pass
    loss = loss_function(predictions, labels)       # Compute loss function
    loss = loss / accumulation_steps                # Normalize our loss (if averaged)
    loss.backward()                                 # Backward pass
    if (i+1) % accumulation_steps == 0:             # Wait for several backward steps
        optimizer.step()                            # Now we can do an optimizer step
        model.zero_grad()                           # Reset gradients tensors
