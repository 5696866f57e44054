"""AG006, AG007 and AG008 on the cases their fixtures cannot show one per line: what keeps
them silent, which fix each finding gets, and which of torch's messages a write earns."""

from __future__ import annotations

import libcst as cst
import pytest

from autograd_lint.analysis import analyze
from autograd_lint.analysis.trace import LeafInplace
from autograd_lint.analysis.witness_grad_facts import (
    LEAF_INPLACE,
    VIEW_OF_LEAF_INPLACE,
    inplace_message,
)
from autograd_lint.config import Settings
from autograd_lint.diagnostics import Diagnostic
from autograd_lint.fixes import apply_edits
from autograd_lint.lint import lint_source

HEADER = "import torch\nimport torch.nn as nn\n"
EVERY_RULE = Settings(select=("AG",))


def findings(body: str, code: str) -> list[Diagnostic]:
    result = lint_source(HEADER + body, settings=EVERY_RULE)
    return [d for d in result.diagnostics if d.code == code]


def test_a_copy_made_by_cuda_is_not_the_leaf() -> None:
    body = "w = torch.randn(3, requires_grad=True).cuda()\n(w * 2).sum().backward()\ng = w.grad\n"
    (found,) = findings(body, "AG006")
    assert "`.cuda()`" in found.message


@pytest.mark.parametrize(
    "made",
    [
        "torch.randn(3, requires_grad=True).to(device)",  # may be the tensor itself
        "torch.randn(3, device='cuda', requires_grad=True).cuda()",  # already there
        "torch.randn(3, requires_grad=True).float()",  # already float32
    ],
)
def test_copies_that_may_be_the_tensor_itself_are_silent(made: str) -> None:
    body = f"device = 'cuda'\nw = {made}\n(w * 2).sum().backward()\ng = w.grad\n"
    assert findings(body, "AG006") == []


def test_a_retain_grad_on_an_unknown_tensor_silences_the_file() -> None:
    body = (
        "def keep(t):\n    t.retain_grad()\n\n"
        "x = torch.randn(3, requires_grad=True)\nh = x * 2\nkeep(h)\nh.sum().backward()\ng = h.grad\n"
    )
    assert findings(body, "AG006") == []
    without = body.replace("def keep(t):\n    t.retain_grad()\n\n", "").replace("keep(h)\n", "")
    assert len(findings(without, "AG006")) == 1


def test_a_retain_grad_named_only_in_comments_and_strings_does_not_silence() -> None:
    body = (
        "x = torch.randn(3, requires_grad=True)\n"
        "h = x * 2  # call h.retain_grad() to keep it\n"
        'note = "use t.retain_grad()"\n'
        "h.sum().backward()\ng = h.grad\n"
    )
    assert len(findings(body, "AG006")) == 1
    called = body.replace("g = h.grad", "keep = lambda t: t.retain_grad()\ng = h.grad")
    assert findings(called, "AG006") == []


def test_the_retain_grad_fix_is_offered_and_removes_the_finding() -> None:
    body = "x = torch.randn(3, requires_grad=True)\nh = x * 2\nh.sum().backward()\ng = h.grad\n"
    (found,) = findings(body, "AG006")
    assert found.fix is not None and not found.fix.safe
    fixed = apply_edits(HEADER + body, found.fix.edits)
    assert "h = x * 2\nh.retain_grad()\n" in fixed
    assert [d for d in lint_source(fixed, settings=EVERY_RULE).diagnostics] == []


def test_no_grad_fix_is_safe_only_for_plain_values() -> None:
    plain = "w = torch.randn(3, requires_grad=True)\nw.add_(1.0)\n"
    (found,) = findings(plain, "AG007")
    assert found.fix is not None and found.fix.safe
    assert "with torch.no_grad():\n    w.add_(1.0)" in apply_edits(HEADER + plain, found.fix.edits)
    unknown = "def step(w, delta):\n    w.add_(delta)\n\nstep(torch.randn(3, requires_grad=True), make())\n"
    (found,) = findings(unknown, "AG007")
    assert found.fix is not None and not found.fix.safe
    graph = "w = torch.randn(3, requires_grad=True)\nv = torch.randn(3, requires_grad=True)\nw.add_(v * 2)\n"
    (found,) = findings(graph, "AG007")
    assert found.fix is None and "clone()" in found.message


def test_no_fix_when_a_later_backward_needs_the_old_value() -> None:
    body = "w = torch.randn(3, requires_grad=True)\ny = (w * w).sum()\nw.mul_(2)\ny.backward()\n"
    (found,) = findings(body, "AG007")
    assert found.fix is None


@pytest.mark.parametrize(
    ("write", "message"),
    [
        ("w[0] = 1.0", VIEW_OF_LEAF_INPLACE),
        ("w[:] = 1.0", LEAF_INPLACE),
        ("w[...] = 1.0", LEAF_INPLACE),
        ("w[0:2] = 1.0", None),  # a view, or w itself when 2 is its length
        ("w[idx] = 1.0", None),
        ("w += 1.0", LEAF_INPLACE),
        ("w.view(3).add_(1.0)", VIEW_OF_LEAF_INPLACE),
    ],
)
def test_which_message_torch_gives(write: str, message: str | None) -> None:
    source = HEADER + f"idx = [0, 1]\nw = torch.randn(3, requires_grad=True)\n{write}\n"
    (event,) = analyze(source).of_type(LeafInplace)
    assert inplace_message(event) == message


def test_requires_grad_true_on_a_non_leaf_method_form_is_accepted() -> None:
    body = "x = torch.randn(3, requires_grad=True)\ny = x * 2\ny.requires_grad_()\ny.requires_grad_(True)\n"
    assert findings(body, "AG008") == []


def test_a_cut_loss_names_the_cut_and_the_backward() -> None:
    body = (
        "fc = nn.Linear(3, 1)\nx = torch.randn(4, 3)\n"
        "loss = fc(x).sum().detach()\nloss.requires_grad = True\nloss.backward()\n"
    )
    (found,) = findings(body, "AG008")
    assert "`.detach()`" in found.message and "reaches no parameter" in found.message
    assert {r.message for r in found.related} >= {"backward here"}
    assert findings(body, "AG003") == []  # the flag silenced AG003: only AG008 tells


def test_a_new_leaf_used_as_an_input_is_fine() -> None:
    body = (
        "fc = nn.Linear(3, 1)\nimages = torch.randn(4, 3)\n"
        "adv = images.detach()\nadv.requires_grad = True\nfc(adv).sum().backward()\ng = adv.grad\n"
    )
    assert findings(body, "AG008") == [] and findings(body, "AG006") == []


def test_the_local_statement_check_finds_only_this_module() -> None:
    from autograd_lint.rules._local import in_this_file

    trace = analyze(HEADER + "x = torch.randn(3, requires_grad=True)\n")
    other = cst.parse_module("y = 1\n").body[0]
    assert in_this_file(trace, trace.module.body[-1])
    assert not in_this_file(trace, other)


def test_a_numpy_conversion_alone_is_analysed() -> None:
    """A file whose only autograd step is ``np.sum`` of losses is parsed and reported."""
    body = "import numpy as np\nmodel = nn.Linear(6, 3)\nl1 = model(torch.randn(5, 6)).sum()\n"
    assert len(findings(body + "total = np.sum([l1, l1])\n", "AG011")) == 1
    assert findings(body + "total = np.sum([l1.item(), l1.item()])\n", "AG011") == []
