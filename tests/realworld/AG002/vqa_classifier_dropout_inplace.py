# source: https://github.com/BierOne/bottom-up-attention-vqa/issues/6
# expect: AG002
# pitfall: nn.Dropout(inplace=True) right after nn.ReLU() in an nn.Sequential classifier overwrites the ReLU output saved by ReluBackward0
import torch
import torch.nn as nn
from torch.nn.utils import weight_norm


class SimpleClassifier(nn.Module):
    def __init__(self, in_dim, hid_dim, out_dim, dropout):
        super().__init__()
        layers = [
            weight_norm(nn.Linear(in_dim, hid_dim), dim=None),
            nn.ReLU(),
            nn.Dropout(dropout, inplace=True),
            weight_norm(nn.Linear(hid_dim, out_dim), dim=None),
        ]
        self.main = nn.Sequential(*layers)

    def forward(self, x):
        logits = self.main(x)
        return logits


classifier = SimpleClassifier(16, 32, 5, 0.5)
joint_repr = torch.randn(4, 16)
labels = torch.rand(4, 5)
pred = classifier(joint_repr)
loss = nn.functional.binary_cross_entropy_with_logits(pred, labels)
loss.backward()
