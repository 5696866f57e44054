# source: https://github.com/pytorch/pytorch/issues/140469
# expect: AG016
# pitfall: `image_syn` is created as a leaf that requires grad and at once multiplied by 0.01, so the name holds the product (a non-leaf); `torch.optim.SGD([image_syn, ], ...)` then raises "can't optimize a non-leaf Tensor" (the scaling belongs inside `torch.no_grad()` or before `requires_grad_()`). The dataset-distillation arguments are given as constants, the CPU as the device
import torch
from types import SimpleNamespace

args = SimpleNamespace(dlipc=2, dldevice='cpu', dllr_img=100.0)
num_classes, channel, im_size = 10, 3, (8, 8)

image_syn = torch.randn(size=(num_classes*args.dlipc, channel, im_size[0], im_size[1]), dtype=torch.float, requires_grad=True, device=args.dldevice) * 0.01
optimizer_img = torch.optim.SGD([image_syn, ], lr=args.dllr_img, momentum=0.5)
