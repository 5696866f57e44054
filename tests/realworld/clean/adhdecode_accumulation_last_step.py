# source: https://adhdecode-articles-3.pages.dev/articles/pytorch/pytorch-gradient-accumulation-large-batch-training/
# expect: clean
# pitfall: look-alike for AG015: eight micro-batches backwarded into the same gradients, one step and zero_grad on the last
import torch
import torch.nn as nn
import torch.optim as optim

# Model and data setup
model = nn.Linear(10, 2)
optimizer = optim.SGD(model.parameters(), lr=0.01)
criterion = nn.MSELoss()
# Simulate data
batch_size_per_step = 8
effective_batch_size = 64
accumulation_steps = effective_batch_size // batch_size_per_step
# Dummy input and target
input_data = torch.randn(effective_batch_size, 10)
target_data = torch.randn(effective_batch_size, 2)
# Gradient accumulation loop
model.train()
optimizer.zero_grad() # Zero gradients once at the start
for i in range(accumulation_steps):
    # Get a slice of data for the current mini-batch
    start_idx = i * batch_size_per_step
    end_idx = start_idx + batch_size_per_step
    inputs = input_data[start_idx:end_idx]
    targets = target_data[start_idx:end_idx]
    # Forward pass
    outputs = model(inputs)
    loss = criterion(outputs, targets)
    # Normalize loss to account for accumulation
    loss = loss / accumulation_steps
    # Backward pass
    loss.backward() # Accumulates gradients
    # If it's the last accumulation step, then update weights
    if (i + 1) == accumulation_steps:
        optimizer.step() # Perform optimizer step
        optimizer.zero_grad() # Zero gradients for the next batch
