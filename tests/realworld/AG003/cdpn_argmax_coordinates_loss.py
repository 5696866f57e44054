# source: https://github.com/LZGMatrix/BOP19_CDPN_2019ICCV/issues/4
# expect: AG003
# pitfall: the coordinate loss is computed after torch.argmax over the bin logits; argmax is not differentiable, so the loss has no grad_fn
import torch
import torch.nn as nn


class Cfg:
    class network:
        coor_bin = 64


cfg = Cfg()
head = nn.Conv2d(4, 3 * (cfg.network.coor_bin + 1), 1)
criterion = nn.L1Loss()
feat = torch.randn(1, 4, 6, 6)
gt_coor = torch.rand(6, 6, 3) * 2 - 1

out = head(feat)
output_coor_x_, output_coor_y_, output_coor_z_ = out.split(cfg.network.coor_bin + 1, dim=1)
output_coor_x_ = output_coor_x_.squeeze()
output_coor_y_ = output_coor_y_.squeeze()
output_coor_z_ = output_coor_z_.squeeze()

####

output_coor_ = torch.stack([torch.argmax(output_coor_x_, axis=0),
                            torch.argmax(output_coor_y_, axis=0),
                            torch.argmax(output_coor_z_, axis=0)], axis=2)
output_coor_[output_coor_ == cfg.network.coor_bin] = 0
output_coor_ = 2.0 * output_coor_.float() / (63.0 - 1.0) - 1.0      # [-1,1]

loss = criterion(output_coor_, gt_coor)
loss.backward()
