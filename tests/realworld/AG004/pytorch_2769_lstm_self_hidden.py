# source: https://github.com/pytorch/pytorch/issues/2769
# expect: AG004
# pitfall: the classifier keeps its LSTM state on the module (`lstm_out,self.hidden=self.lstm(x,self.hidden)`), so every batch starts from the previous batch's hidden state and its graph; the second `loss.backward()` walks into the first batch's freed graph. The class is the issue's; the training loop, cut off in the issue, is the usual one (the data loader is replaced by random clips, input_len/hidden_len are shrunk)
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.autograd import Variable


class LSTM(nn.Module):
    def __init__(self,
                 input_len=1024,
                 hidden_len=1024,
                 model_len=12,
                 target_size=101,
                 is_softmax=True):
        super(LSTM,self).__init__()
        self.hidden_len=hidden_len
        self.is_softmax=is_softmax
        self.lstm=nn.LSTM(input_len,hidden_len,batch_first=True)
        self.target_size=target_size
        self.hidden2class=nn.Linear(hidden_len,target_size)
        self.hidden=self.init_hidden()
    def init_hidden(self):
        return (Variable(torch.zeros(1, 1, self.hidden_len)),
            Variable(torch.zeros(1, 1, self.hidden_len)))
    def forward(self,x):
        lstm_out,self.hidden=self.lstm(
            x,self.hidden
        )
        cls_scores=self.hidden2class(lstm_out[:,-1,:]).view(-1,self.target_size)
        if self.is_softmax:
            cls_scores=F.log_softmax(cls_scores)
        return cls_scores

def train(train_data,model,criterion,optimizer,epoch):
    model.train()
    for i,(input,target) in enumerate(train_data):

        input_var=torch.autograd.Variable(input)
        target_var=torch.autograd.Variable(target)
        output=model(input_var)
        loss=criterion(output,target_var)

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


model = LSTM(input_len=16, hidden_len=8, target_size=5)
criterion = nn.NLLLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
train_data = [(torch.randn(1, 12, 16), torch.tensor([i % 5])) for i in range(3)]
train(train_data, model, criterion, optimizer, 0)
