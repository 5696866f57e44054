# source: https://github.com/open-mmlab/mmdetection/issues/3667
# expect: AG003
# pitfall: the single-stage detector freezes its backbone and its bbox_head, leaving nothing that requires grad in the loss
import torch
import torch.nn as nn


class SingleStageDetector(nn.Module):
    def __init__(self, backbone, bbox_head, neck=None):
        super().__init__()
        self.backbone = backbone
        self.neck = neck
        self.bbox_head = bbox_head

        for v in self.backbone.parameters():
            v.requires_grad = False

        for v in self.bbox_head.parameters():
            v.requires_grad = False

    @property
    def with_neck(self):
        return self.neck is not None

    def extract_feat(self, img):
        x = self.backbone(img)
        if self.with_neck:
            x = self.neck(x)
        return x

    def forward_train(self, img, gt_labels):
        x = self.extract_feat(img)
        cls_score = self.bbox_head(x)
        losses = dict(loss_cls=nn.functional.cross_entropy(cls_score, gt_labels))
        return losses


detector = SingleStageDetector(
    backbone=nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten()),
    bbox_head=nn.Linear(4, 5),
)
outputs = {}
outputs['loss'] = sum(detector.forward_train(torch.randn(2, 3, 8, 8), torch.tensor([0, 3])).values())
outputs['loss'].backward()
