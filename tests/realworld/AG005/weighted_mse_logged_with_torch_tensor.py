# source: https://github.com/pytorch/pytorch/issues/59800
# expect: AG005
# pitfall: the logging path copy-constructs the loss with torch.tensor(value, ...); torch warns, and the copy is cut from the graph
import torch

device = "cpu"


def weighted_mse(y, pred, x, mask, weight=10):

    x = torch.reshape(x[:, 0, :, :], (-1, 1, 6, 6))
    mask = torch.reshape(mask, (-1, 1, 6, 6))

    num_und_pix = torch.sum(x != 0)
    num_dam_pix = torch.sum(mask == 1)

    out_und = ((((y - pred) ** 2) * x).sum() / num_und_pix)
    out_dam = ((((y - pred) ** 2) * mask).sum() / num_dam_pix) * weight

    loss = out_und + out_dam
    return loss


def log(name, value, logged):
    if isinstance(value, torch.Tensor):
        value = torch.tensor(value, device=device, dtype=torch.float)
    logged[name] = value


net = torch.nn.Conv2d(2, 1, 3, padding=1)
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
x = torch.rand(2, 2, 6, 6)
y = torch.rand(2, 1, 6, 6)
mask = (torch.rand(2, 6, 6) > 0.5).float()
logged = {}
pred = net(x)
loss = weighted_mse(y, pred, x, mask)
log("train_loss", loss, logged)
optimizer.zero_grad()
loss.backward()
optimizer.step()
