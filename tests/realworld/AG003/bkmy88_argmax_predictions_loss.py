# source: https://php.bkmy88.com/faq/1835025.html
# expect: AG003
# pitfall: the loss is computed on `softmax(...).argmax(dim=1).type(torch.float32)`: argmax has no gradient, so the loss has no grad_fn and loss.backward() raises "element 0 of tensors does not require grad"
# The training loop is the page's; the model, data and loss function (the page's setup) are
# stubbed with a small classifier and random data.
import torch
import torch.nn as nn

torch.manual_seed(0)
X_train = torch.randn(32, 4)
y_train = torch.randint(0, 3, (32,)).type(torch.float32)
model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
loss_fn = nn.MSELoss()
optimiser = torch.optim.SGD(model.parameters(), lr=0.1)
Epochs = 2


def accuracy(y_true, y_pred):
    return (y_true == y_pred).float().mean().item() * 100


for epoch in range(Epochs):
    model.train()
    train_logits = model(X_train)
    train_preds_probs = torch.softmax(train_logits,dim=1).argmax(dim=1).type(torch.float32)
    loss = loss_fn(train_preds_probs,y_train)
    train_accu = accuracy(y_train,train_preds_probs)
    print(train_preds_probs)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()
