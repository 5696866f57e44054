"""AG004's advice fits the pattern: a GAN's shared generator output is detached, not retained."""

from __future__ import annotations

from autograd_lint.lint import lint_source

GAN_STEP = """\
import torch
import torch.nn as nn

netG = nn.Sequential(nn.Linear(2, 4), nn.Tanh())
netD = nn.Sequential(nn.Linear(4, 1), nn.Sigmoid())
criterion = nn.BCELoss()
optD = torch.optim.SGD(netD.parameters(), lr=0.1)
optG = torch.optim.SGD(netG.parameters(), lr=0.1)
fake = netG(torch.randn(3, 2))
errD = criterion(netD(fake).view(-1), torch.zeros(3))
errD.backward()
optD.step()
errG = criterion(netD(fake).view(-1), torch.ones(3))
errG.backward()
optG.step()
"""


def _ag004(source: str) -> str:
    (finding,) = [d for d in lint_source(source, "gan.py").diagnostics if d.code == "AG004"]
    return finding.message


def test_a_generator_output_fed_twice_to_the_discriminator_is_detached() -> None:
    message = _ag004(GAN_STEP)
    assert "`netD(fake.detach())`" in message
    assert "only if both backwards should reach it" in message


def test_two_losses_of_one_graph_keep_the_retain_graph_advice() -> None:
    source = (
        "import torch\nw = torch.randn(3, requires_grad=True)\nh = torch.tanh(w)\n"
        "(h * 2).sum().backward()\n(h * 3).sum().backward()\n"
    )
    message = _ag004(source)
    assert "detach" not in message
    assert "pass `retain_graph=True` to the backward at line 4" in message
