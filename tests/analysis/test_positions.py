"""Positions from the ast statement map agree with libcst's own PositionProvider."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from autograd_lint.analysis import analyze
from autograd_lint.rules import ALL_RULES

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "rules").glob("*.py"))

TRICKY = """
import torch

@torch.no_grad()
def evaluate(w):
    return (w * 2).sum()

class A:  # a comment
    x = 1; y = 2

if True: w = torch.randn(3, requires_grad=True); w.data.add_(1)

try:
    pass
except ValueError:
    z = torch.randn(
        3,
        requires_grad=True,
    )
    z.data.mul_(2)
else:
    pass
finally:
    pass

with torch.no_grad():
    # leading comment
    q = (w *
         w).sum()

match q:
    case 1: v = torch.randn(2, requires_grad=True); v.data.add_(1)
    case [first, *rest] if first:
        u = torch.randn(
            2, requires_grad=True)
        u.data.mul_(3)
    case _:
        pass
"""


@pytest.mark.parametrize("source", [*FIXTURES, TRICKY], ids=lambda s: getattr(s, "name", "tricky"))
def test_positions_match_libcst(source):
    text = source.read_text() if isinstance(source, Path) else source
    trace = analyze(text)
    wrapper = MetadataWrapper(trace.module, unsafe_skip_copy=True)
    expected = wrapper.resolve(PositionProvider)
    checked = 0
    for node in trace.owner:
        want = expected.get(node)
        if want is None:
            continue
        got = trace.range_of(node)
        assert (got.start_line, got.start_col, got.end_line, got.end_col) == (
            want.start.line,
            want.start.column,
            want.end.line,
            want.end.column,
        ), trace.code_of(node)
        checked += 1
    assert checked > 20
    for rule in ALL_RULES:
        list(rule.check(trace))
    assert trace._positions is not None and trace._positions.fallbacks == 0


def test_newer_syntax_falls_back_to_libcst_positions():
    # a statement ast cannot see the same way (here: a mismatch is simulated by a module
    # whose statement lists differ) still gets correct positions through the fallback
    module = cst.parse_module(
        "import torch\nw = torch.randn(3, requires_grad=True)\nw.data.add_(1)\n"
    )
    from autograd_lint.analysis.positions import Positions

    positions = Positions(module, "x = 1\n")  # ast sees one statement, libcst three
    node = module.body[2]
    assert positions.range(node, node).start_line == 3
    assert positions.fallbacks == 1


def test_one_line_suites_are_analysed_and_placed():
    source = "import torch\nif True: w = torch.randn(3, requires_grad=True); w.data.add_(1)\n"
    from autograd_lint.config import Settings
    from autograd_lint.lint import lint_source

    (finding,) = lint_source(source, settings=Settings(select=("AG",))).diagnostics
    assert finding.code == "AG013"
    line = source.splitlines()[1]
    assert (finding.range.start_line, finding.range.start_col) == (2, line.index("w.data"))


def test_bracket_nesting_beyond_cpython_limit_is_a_syntax_error():
    from autograd_lint.lint import lint_source

    deep = "import torch\nx = " + "(" * 3000 + "1" + ")" * 3000 + "\nx.backward()\n"
    (finding,) = lint_source(deep).diagnostics
    assert finding.code == "E999" and "nested" in finding.message
    # brackets inside a string are not nesting: the file is analysed as usual
    stringy = "import torch\ns = '" + "(" * 500 + "'\nx = torch.randn(3)\nx.backward()\n"
    assert [d.code for d in lint_source(stringy).diagnostics] == ["AG003"]
