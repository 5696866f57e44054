# source: https://openillumi.com/en/en-pytorch-detach-numpy-why-graph
# expect: AG011
# pitfall: converting a gradient-tracking tensor straight to a NumPy array
import torch
import numpy as np

tensor1 = torch.tensor([1.0, 2.0], requires_grad=True)
# This line will cause a runtime error
tensor1_np = tensor1.numpy()
print(np.asarray(tensor1_np))
