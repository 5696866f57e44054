# source: https://github.com/thuml/predrnn-pytorch/issues/11
# expect: AG005
# pitfall: RNN.forward builds the memory-decoupling loss as `torch.mean(torch.tensor(decouple_loss))` from a list of per-step losses that require grad: torch.tensor copies their values into a new tensor with no graph, so the decoupling term adds a constant and the adapter is never trained (the maintainer: "change line 113 to torch.mean(torch.stack(decouple_loss, dim=0))")
# The training step follows core/models/model_factory.py's train(); configs are the
# mnist script's, shrunk; the data is random.
from types import SimpleNamespace

import torch

from predrnn_memory_decoupling import RNN

torch.manual_seed(0)
configs = SimpleNamespace(patch_size=1, img_width=8, filter_size=3, stride=1, layer_norm=0,
                          device="cpu", total_length=4, input_length=2, decouple_beta=0.1)
network = RNN(2, [4, 4], configs)
optimizer = torch.optim.Adam(network.parameters(), lr=1e-3)
frames_tensor = torch.rand(2, 4, 8, 8, 1)
mask_tensor = torch.zeros(2, 1, 8, 8, 1)

optimizer.zero_grad()
next_frames, loss = network(frames_tensor, mask_tensor)
loss.backward()
optimizer.step()
