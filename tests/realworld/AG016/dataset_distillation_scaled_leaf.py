# source: https://github.com/pytorch/pytorch/issues/140469
# expect: AG016
# pitfall: image_syn is torch.randn(..., requires_grad=True) * 0.01, a non-leaf; SGD([image_syn]) raises "can't optimize a non-leaf Tensor"
import torch

num_classes, dlipc, channel, im_size = 2, 1, 3, (4, 4)
image_syn = torch.randn(size=(num_classes*dlipc, channel, im_size[0], im_size[1]), dtype=torch.float, requires_grad=True, device="cpu") * 0.01
optimizer_img = torch.optim.SGD([image_syn, ], lr=0.1, momentum=0.5)
