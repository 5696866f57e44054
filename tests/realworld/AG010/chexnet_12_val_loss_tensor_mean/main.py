# source: https://github.com/zoogzog/chexnet/issues/12
# expect: AG010
# pitfall: epochVal adds every batch's loss tensor into losstensorMean (Variable(volatile=True) no longer turns grad off), so the whole validation epoch's graphs stay alive
# The driver is ChexnetTrainer.train's epoch loop with the dataset, scheduler and checkpointing stubbed.
import torch
import torch.optim as optim

from ChexnetTrainer import ChexnetTrainer
from DensenetModels import DenseNet121

nnClassCount = 14
model = DenseNet121(nnClassCount, False)
optimizer = optim.Adam (model.parameters(), lr=0.0001, betas=(0.9, 0.999), eps=1e-08, weight_decay=1e-5)
loss = torch.nn.BCELoss()
dataLoaderTrain = [(torch.randn(2, 3, 8, 8), torch.rand(2, nnClassCount).round()) for _ in range(2)]
dataLoaderVal = [(torch.randn(2, 3, 8, 8), torch.rand(2, nnClassCount).round()) for _ in range(3)]

for epochID in range (0, 1):
    ChexnetTrainer.epochTrain (model, dataLoaderTrain, optimizer, None, 1, nnClassCount, loss)
    lossVal, losstensor = ChexnetTrainer.epochVal (model, dataLoaderVal, optimizer, None, 1, nnClassCount, loss)
