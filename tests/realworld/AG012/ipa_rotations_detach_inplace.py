# source: https://github.com/lucidrains/invariant-point-attention/issues/9
# expect: AG012
# pitfall: quaternion_to_matrix returns a reshape (a view) of a stacked tensor; rotations.detach_() raises
import torch
import torch.nn as nn


def quaternion_to_matrix(quaternions):
    # pytorch3d.transforms.quaternion_to_matrix
    r, i, j, k = torch.unbind(quaternions, -1)
    two_s = 2.0 / (quaternions * quaternions).sum(-1)

    o = torch.stack(
        (
            1 - two_s * (j * j + k * k),
            two_s * (i * j - k * r),
            two_s * (i * k + j * r),
            two_s * (i * j + k * r),
            1 - two_s * (i * i + k * k),
            two_s * (j * k - i * r),
            two_s * (i * k - j * r),
            two_s * (j * k + i * r),
            1 - two_s * (i * i + j * j),
        ),
        -1,
    )
    return o.reshape(quaternions.shape[:-1] + (3, 3))


class IPATransformer(nn.Module):
    def __init__(self, dim, depth, detach_rotations=True):
        super().__init__()
        self.to_update = nn.Linear(dim, 6)
        self.detach_rotations = detach_rotations

    def forward(self, x, quaternions):
        rotations = quaternion_to_matrix(quaternions)

        if self.detach_rotations:
            rotations.detach_()

        return x, rotations


net = IPATransformer(dim=8, depth=1)
quaternions = torch.randn(1, 4, 4, requires_grad=True)
net(torch.randn(1, 4, 8), quaternions)
