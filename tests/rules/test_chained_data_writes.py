"""A chain of in-place calls on ``.data`` is one update of one tensor, reported once, and
AG013's fix rewrites the whole chain.

Seen in taming-transformers ``taming/modules/vqvae/quantize.py``
(``self.cluster_size.data.mul_(self.decay).add_(new_cluster_size, alpha=1 - self.decay)``),
which gave two findings at one position. An in-place op returns its receiver, so the second
call writes the same tensor as the first (checked on torch below). There the parameters are
made with ``requires_grad=False``: EMA buffers that autograd never tracks, no AG013 at all.
"""

from __future__ import annotations

import torch

from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.text_edits import apply_edits

ALL = Settings(select=("ALL",))

EMA = """\
import torch
import torch.nn as nn


class EMA(nn.Module):
    def __init__(self, n, decay=0.99):
        super().__init__()
        self.decay = decay
        self.cluster_size = nn.Parameter(torch.zeros(n), requires_grad={flag})
        self.embed_avg = nn.Parameter(torch.zeros(n), requires_grad={flag})

    def update(self, new_cluster_size, new_embed_avg):
        self.cluster_size.data.mul_(self.decay).add_(new_cluster_size, alpha=1 - self.decay)
{second}
"""


def findings(source: str, code: str) -> list[tuple[int, int]]:
    result = lint_source(source, "example.py", ALL)
    return sorted((d.line, d.column) for d in result.diagnostics if d.code == code)


def test_an_inplace_call_returns_its_receiver_on_torch() -> None:
    w = torch.nn.Parameter(torch.zeros(3), requires_grad=False)
    out = w.data.mul_(0.5).add_(torch.ones(3), alpha=0.5)
    assert out.data_ptr() == w.data_ptr()
    assert torch.equal(w.detach(), torch.full((3,), 0.5))


def test_a_chain_on_one_tensor_is_one_finding() -> None:
    assert findings(EMA.format(second="", flag=True), "AG013") == [(13, 8)]


def test_two_statements_on_one_tensor_stay_two_findings() -> None:
    second = "        self.cluster_size.data.add_(new_cluster_size)"
    assert findings(EMA.format(second=second, flag=True), "AG013") == [(13, 8), (14, 8)]


def test_a_data_write_inside_the_arguments_is_another_tensor_and_found() -> None:
    second = "        self.embed_avg.data.mul_(self.decay).add_(self.cluster_size.data.mul_(2))"
    assert findings(EMA.format(second=second, flag=True), "AG013") == [(13, 8), (14, 8), (14, 50)]


STALE = """\
import torch

w = torch.randn(3, requires_grad=True)
y = torch.sin(w)
w.data.mul_(2).add_(1)
y.sum().backward()
"""


def test_a_chain_that_stales_a_saved_tensor_is_one_ag001() -> None:
    result = lint_source(STALE, "example.py", Settings())
    assert [(d.line, d.code) for d in result.diagnostics] == [(5, "AG001")]


def test_parameters_made_without_grad_are_not_tracked_by_autograd() -> None:
    buffer = torch.nn.Parameter(torch.zeros(3), requires_grad=False)
    assert not buffer.requires_grad
    assert findings(EMA.format(second="", flag=False), "AG013") == []


def test_the_fix_rewrites_the_chain_under_no_grad_and_leaves_nothing_to_find() -> None:
    result = lint_source(EMA.format(second="", flag=True), "example.py", ALL)
    (finding,) = [d for d in result.diagnostics if d.code == "AG013"]
    assert finding.fixes and finding.fixes[0].safe
    (edit,) = finding.fixes[0].edits
    assert edit.new_text == (
        "with torch.no_grad():\n"
        "            self.cluster_size.mul_(self.decay)"
        ".add_(new_cluster_size, alpha=1 - self.decay)"
    )
    fixed = apply_edits(EMA.format(second="", flag=True), [edit])
    compile(fixed, "<fixed>", "exec")
    assert findings(fixed, "AG013") == []
    assert findings(fixed, "AG001") == []


def test_a_copy_in_the_chain_is_not_rewritten() -> None:
    second = "        self.embed_avg.data.mul(2).add_(new_embed_avg)"
    result = lint_source(EMA.format(second=second, flag=True), "example.py", ALL)
    assert [d.line for d in result.diagnostics if d.code == "AG013"] == [13]
