# source: https://pythonkb.com/python-pytorch-runtimeerror-trying-to-backward-through-the-graph-a-second-time-but-the-buffers-have-already-been-freed
# expect: AG004
# pitfall: the page's example calls `y.backward()` twice on one forward: the first call frees the graph's saved values (`x ** 2` saved x), so the second raises (the page's code, verbatim)
import torch
# Define a simple computation graph
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = torch.sum(x ** 2)
# Perform the first backward pass
y.backward()
# Perform the second backward pass
y.backward()
