# source: https://discuss.pytorch.org/t/how-gradients-are-accumulated-in-real/115462
# expect: clean
# pitfall: look-alike for AG015: backward every batch, step and zero_grad only every accumulation_steps batches
import torch
import torch.nn as nn

model = nn.Linear(3, 2)
loss_function = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
training_set = [(torch.randn(2, 3), torch.tensor([0, 1])) for _ in range(6)]
accumulation_steps = 3

for i, (inputs, labels) in enumerate(training_set):
    predictions = model(inputs)                     # Forward pass
    loss = loss_function(predictions, labels)       # Compute loss function
    loss = loss / accumulation_steps                # Normalize our loss (if averaged)
    loss.backward()                                 # Backward pass
    if (i+1) % accumulation_steps == 0:             # Wait for several backward steps
        optimizer.step()                            # Now we can do an optimizer step
        model.zero_grad()
