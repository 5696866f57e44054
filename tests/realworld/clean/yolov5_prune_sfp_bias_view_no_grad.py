# source: https://github.com/xhwNobody/yolov5_prune_sfp/issues/17
# expect: clean
# pitfall: none: the fix posted in https://github.com/xhwNobody/yolov5_prune_sfp/issues/17 (by vivienness) makes the same in-place additions to the view of each bias inside `with torch.no_grad():`, which torch allows, then wraps the result in a new Parameter. The model file is https://github.com/xhwNobody/yolov5_prune_sfp/blob/9664b9bc690c26a2e848e9c3fd93b190259b4a77/model.py; the backbone and neck are dropped and the strides that their forward pass measures are given
import math

import torch
import torch.nn as nn


class Model(nn.Module):
    def __init__(self, ch=3, nc=None):  # model, input channels, number of classes
        super(Model, self).__init__()

        self.ch = ch
        self.nc = nc
        self.anchors = [[10,13, 16,30, 33,23], [30,61, 62,45, 59,119], [116,90, 156,198, 373,326]]

        self.ch_head = [256, 512, 1024]
        self.head_self = Detect(self.nc, self.anchors, self.ch_head)

        # 创建步长和anchor
        if isinstance(self.head_self, Detect):
            self.head_self.stride = torch.tensor([8., 16., 32.])
            self.head_self.anchors /= self.head_self.stride.view(-1, 1, 1)
            self.stride = self.head_self.stride
            self._initialize_biases()  # only run once

    def _initialize_biases(self, cf=None):  # initialize biases into Detect(), cf is class frequency
        m = self.head_self  # Detect() module
        for mi, s in zip(m.m, m.stride):  # from
            b = mi.bias.view(m.na, -1)  # conv.bias(255) to (3,85)
            with torch.no_grad():
                b[:, 4] += math.log(8 / (640 / s) ** 2)  # obj (8 objects per 640 image)
                b[:, 5:] += math.log(0.6 / (m.nc - 0.99)) if cf is None else torch.log(cf / cf.sum())  # cls
            mi.bias = torch.nn.Parameter(b.view(-1), requires_grad=True)


class Detect(nn.Module):
    stride = None  # strides computed during build
    export = False  # onnx export

    def __init__(self, nc=80, anchors=(), ch=()):  # detection layer
        super(Detect, self).__init__()
        self.nc = nc  # number of classes
        self.no = nc + 5  # number of outputs per anchor
        self.nl = len(anchors)  # number of detection layers
        self.na = len(anchors[0]) // 2  # number of anchors
        self.grid = [torch.zeros(1)] * self.nl  # init grid
        a = torch.tensor(anchors).float().view(self.nl, -1, 2)
        self.register_buffer('anchors', a)  # shape(nl,na,2)
        self.register_buffer('anchor_grid', a.clone().view(self.nl, 1, -1, 1, 1, 2))  # shape(nl,1,na,1,1,2)
        self.m = nn.ModuleList(nn.Conv2d(x, self.no * self.na, 1) for x in ch)  # output conv


modell = Model(nc=20)
