"""Small source files shared by the command-line, bad-input and pre-commit tests."""

DATA_WRITE = """\
import torch

w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
w.data.mul_(10)
y.backward()
"""
"""AG001 at line 5, error: the `.data` write changes what the pending backward uses."""

LEGACY_DATA_WRITE = """\
import torch

w = torch.randn(3, requires_grad=True)
y = (w + 1).sum()
w.data.mul_(10)
y.backward()
"""
"""AG013 at line 5 (off by default): `+` saved nothing, so the write is a legacy update."""

SNAPSHOT = """\
import torch

w = torch.randn(3, requires_grad=True)
history = []
for step in range(3):
    loss = (w * w).sum()
    loss.backward()
    history.append(w.clone())
"""
"""AG005 at line 8: a clone of a tensor that requires grad kept as a snapshot."""

CLEAN = """\
import torch

w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
y.backward()
with torch.no_grad():
    w.mul_(10)
snapshot = w.detach().clone()
"""
"""The same program written correctly: no findings."""
