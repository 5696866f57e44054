"""Indentation that mixes tabs and spaces (:mod:`autograd_lint.analysis.indentation`): a
file CPython runs is analysed, with columns reported in the file as written; a file CPython
refuses stays a syntax error; text inside strings is never touched."""

from __future__ import annotations

import pytest

from autograd_lint.analysis.indentation import expand_mixed_indentation
from autograd_lint.lint import lint_source

# the inner block is indented by eight spaces and a tab (sixteen columns to CPython)
MIXED = (
    "import torch\n"
    "\n"
    "def step(a):\n"
    "        s = torch.sigmoid(a)\n"
    "        if True:\n"
    "        \tt = s\n"
    "        \tt.zero_()\n"
    "        s.sum().backward()\n"
    "\n"
    "step(torch.randn(3, requires_grad=True))\n"
)


def test_a_file_that_mixes_tabs_and_spaces_is_analysed_where_it_is_written() -> None:
    found = lint_source(MIXED, "case.py").diagnostics
    assert [(d.code, d.line, d.range.start_col) for d in found] == [("AG002", 7, 9)]


@pytest.mark.torch
def test_torch_runs_the_mixed_file_and_raises_as_reported() -> None:
    pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        exec(compile(MIXED, "case.py", "exec"), {})


def test_indentation_cpython_refuses_is_left_to_the_parser() -> None:
    refused = "if True:\n        x = 1\n\ty = 2\n"  # TabError in CPython
    assert expand_mixed_indentation(refused) is None
    assert [d.code for d in lint_source(refused, "case.py").diagnostics] == ["E999"]


def test_strings_and_files_without_mixing_are_not_rewritten() -> None:
    in_string = 'def f():\n    return """\n\ta\n    b"""\n'
    assert expand_mixed_indentation(in_string) is None  # only a string line has a tab
    tabs_only = "def f():\n\tif True:\n\t\treturn 1\n"
    assert expand_mixed_indentation(tabs_only) is None
    text_and_delta = expand_mixed_indentation(MIXED)
    assert text_and_delta is not None
    text, delta = text_and_delta
    assert delta == {6: -7, 7: -7}
    assert text.splitlines()[5] == " " * 16 + "t = s"
