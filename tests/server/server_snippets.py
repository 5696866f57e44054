"""Pitfall snippets from RULES.md, as the editor would hold them."""

AG001 = (
    "import torch\n"
    "w = torch.randn(3, requires_grad=True)\n"
    "y = (w * w).sum()\n"
    "w.data.mul_(10)\n"
    "y.backward()\n"
)
"""`.data` write between the forward and the backward: AG001 at error on line 4 (1-based)."""

AG001_FIXED = (
    "import torch\n"
    "w = torch.randn(3, requires_grad=True)\n"
    "y = (w * w).sum()\n"
    "y.backward()\n"
    "with torch.no_grad():\n"
    "    w.mul_(10)\n"
)

AG002 = (
    "import torch\n"
    "x = torch.randn(3, requires_grad=True)\n"
    "out = x.sigmoid()\n"
    "c = out.detach()\n"
    "c.zero_()\n"
    "out.sum().backward()\n"
)
"""In-place on a detached alias of sigmoid's saved output: AG002 on line 5."""

AG004 = (
    "import torch\n"
    "w = torch.randn(3, requires_grad=True)\n"
    "loss = (w * w).sum()\n"
    "loss.backward()\n"
    "loss.backward()\n"
)
"""Second backward through a freed graph: AG004 on line 5 (offered fix is unsafe)."""

AG005 = (
    "import torch\n"
    "import torch.nn.functional as F\n"
    "w = torch.randn(3, requires_grad=True)\n"
    "pred = w * 2\n"
    "target = w.clone()\n"
    "loss = F.mse_loss(pred, target)\n"
    "loss.backward()\n"
)
"""A clone of a tensor that requires grad used as a loss target: AG005 with a safe fix."""

CLEAN = "import torch\nw = torch.randn(3, requires_grad=True)\n(w * w).sum().backward()\n"
