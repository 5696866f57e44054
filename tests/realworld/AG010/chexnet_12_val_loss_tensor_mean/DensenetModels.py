# source: https://github.com/zoogzog/chexnet/blob/master/DensenetModels.py
# torchvision's densenet121 backbone is stubbed by a small convolutional feature extractor.
import torch
import torch.nn as nn


class DenseNet121(nn.Module):

    def __init__(self, classCount, isTrained):
	
        super(DenseNet121, self).__init__()
		
        self.densenet121 = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten())

        kernelCount = 8
		
        self.classifier = nn.Sequential(nn.Linear(kernelCount, classCount), nn.Sigmoid())

    def forward(self, x):
        x = self.densenet121(x)
        x = self.classifier(x)
        return x
