# source: https://duoke360.com/post/34087
# expect: clean
# pitfall: look-alike of AG011: the loss and the tensor are detached before numpy()
import torch
import torch.nn as nn

x = torch.rand(3, requires_grad=True)
x_np = x.detach().numpy()

model = nn.Linear(4, 1)
criterion = nn.MSELoss()
dataloader = [(torch.randn(2, 4), torch.randn(2, 1)) for _ in range(2)]
for data, target in dataloader:
    output = model(data)
    loss = criterion(output, target)
    loss_np = loss.detach().numpy()

x_cpu = x.cpu().detach().numpy()
