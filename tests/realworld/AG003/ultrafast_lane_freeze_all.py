# source: https://github.com/cfzd/Ultra-Fast-Lane-Detection/issues/282
# expect: AG003
# pitfall: the finetune branch sets requires_grad = False on every parameter of the model, so the loss does not require grad
import torch
import torch.nn as nn


class parsingNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU())
        self.cls = nn.Sequential(nn.Flatten(), nn.Linear(4 * 8 * 8, 10))

    def forward(self, x):
        return self.cls(self.model(x))


class Cfg:
    finetune = "ep049.pth"


cfg = Cfg()
net = parsingNet()
model = net
if cfg.finetune is not None:
    state_all = {k: v.clone() for k, v in net.state_dict().items()}
    state_clip = {}  # only use backbone parameters
    for k, v in state_all.items():
        if 'model' in k:
            state_clip[k] = v
    net.load_state_dict(state_clip, strict=False)
    for param in model.parameters():
        param.requires_grad = False

criterion = nn.CrossEntropyLoss()
img = torch.randn(2, 3, 8, 8)
cls_label = torch.randint(0, 10, (2,))
cls_out = net(img)
loss = criterion(cls_out, cls_label)
loss.backward()
