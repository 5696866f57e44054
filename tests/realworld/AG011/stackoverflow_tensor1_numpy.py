# source: https://stackoverflow.com/questions/63582590/why-do-we-call-detach-before-calling-numpy-on-a-pytorch-tensor
# expect: AG011
# pitfall: tensor1 requires grad, so tensor1.numpy() raises instead of converting
import torch

tensor1 = torch.tensor([1.0,2.0],requires_grad=True)


tensor1 = tensor1.numpy()
