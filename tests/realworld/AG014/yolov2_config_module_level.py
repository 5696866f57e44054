# source: https://github.com/AnhAnh22062004/yolov2/blob/19882fe0d1729e219e5aafb5be61b413532a0ce4/config.py
# expect: AG014
# pitfall: the shared config module turns anomaly detection on for every script that imports it, training included
import torch 

DEVICE = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
torch.autograd.set_detect_anomaly(True)

model = torch.nn.Linear(4, 2).to(DEVICE)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(2):
    loss = model(torch.randn(3, 4, device=DEVICE)).pow(2).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
