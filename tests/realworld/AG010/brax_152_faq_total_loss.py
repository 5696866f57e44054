# source: https://github.com/google/brax/pull/152
# expect: AG010
# pitfall: the training loop the PR quotes from the PyTorch FAQ (https://pytorch.org/docs/stable/notes/faq.html): `total_loss += loss` adds a differentiable loss every iteration, so `total_loss` accumulates the history of the whole loop ("You can fix this by writing `total_loss += float(loss)` instead"). The model, criterion, optimizer and input are a linear layer, a mean square, SGD and one random batch; the loop runs 5 iterations instead of 10000
import torch

model = torch.nn.Linear(4, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
input = torch.randn(8, 4)


def criterion(output):
    return output.pow(2).mean()


total_loss = 0
for i in range(5):
    optimizer.zero_grad()
    output = model(input)
    loss = criterion(output)
    loss.backward()
    optimizer.step()
    total_loss += loss
