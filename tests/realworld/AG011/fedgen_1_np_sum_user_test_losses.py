# source: https://github.com/zhuangdizhu/FedGen/blob/7c6441b95b8e49443e7a4c597bd8982d1e3ee233/FLAlgorithms/servers/serverbase.py
# expect: AG011
# pitfall: `User.test` sums its loss tensors without `torch.no_grad()`, so each user's loss requires grad; `Server.evaluate` then reduces `x * y` over the users with `np.sum([...])`, and numpy's conversion of a tensor that requires grad raises ("Can't call numpy() on Tensor that requires grad"), as https://github.com/zhuangdizhu/FedGen/issues/1 reports (the fix, in the commit cited, is `y.detach()`). User.test is from FLAlgorithms/users/userbase.py; the models are one linear layer, the data loaders one full batch each, the metrics dict two lists
import copy
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(6, 3)

    def forward(self, x):
        return {'output': F.log_softmax(self.fc(x), dim=1)}


class User:
    def __init__(self, id, model, test_data):
        self.model = copy.deepcopy(model)
        self.id = id
        self.testloaderfull = [test_data]
        self.loss = nn.NLLLoss()

    def test(self):
        self.model.eval()
        test_acc = 0
        loss = 0
        for x, y in self.testloaderfull:
            output = self.model(x)['output']
            loss += self.loss(output, y)
            test_acc += (torch.sum(torch.argmax(output, dim=1) == y)).item()
        return test_acc, loss, y.shape[0]


class Server:
    def __init__(self, model, users):
        self.model = model
        self.users = users
        self.selected_users = []
        self.metrics = {'glob_acc': [], 'glob_loss': []}

    def test(self, selected=False):
        '''tests self.latest_model on given clients
        '''
        num_samples = []
        tot_correct = []
        losses = []
        users = self.selected_users if selected else self.users
        for c in users:
            ct, c_loss, ns = c.test()
            tot_correct.append(ct*1.0)
            num_samples.append(ns)
            losses.append(c_loss)
        ids = [c.id for c in self.users]

        return ids, num_samples, tot_correct, losses

    def evaluate(self, save=True, selected=False):
        # override evaluate function to log vae-loss.
        test_ids, test_samples, test_accs, test_losses = self.test(selected=selected)
        glob_acc = np.sum(test_accs)*1.0/np.sum(test_samples)
        glob_loss = np.sum([x * y for (x, y) in zip(test_samples, test_losses)]).item() / np.sum(test_samples)
        if save:
            self.metrics['glob_acc'].append(glob_acc)
            self.metrics['glob_loss'].append(glob_loss)
        print("Average Global Accurancy = {:.4f}, Loss = {:.2f}.".format(glob_acc, glob_loss))


model = Net()
users = [User(i, model, (torch.randn(5, 6), torch.randint(0, 3, (5,)))) for i in range(3)]
server = Server(model, users)
server.evaluate()
