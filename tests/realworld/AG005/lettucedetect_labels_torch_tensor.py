# source: https://github.com/KRLabsOrg/LettuceDetect/pull/18
# expect: AG005
# pitfall: the inference code copy-constructs labels that are already a tensor with torch.tensor(labels, device=self.device); torch warns
import torch
import torch.nn as nn


class HallucinationDetector:
    def __init__(self):
        self.device = "cpu"
        self.model = nn.Linear(4, 2)

    def _predict(self, features, labels):
        labels = torch.tensor(labels, device=self.device)
        logits = self.model(features)
        probs = torch.softmax(logits, dim=-1)
        mask = labels != -100
        return probs[mask].argmax(-1)


detector = HallucinationDetector()
features = torch.randn(6, 4)
labels = torch.tensor([0, 1, -100, 1, 0, -100])
with torch.no_grad():
    preds = detector._predict(features, labels)
