"""A fix is validated by compiling the top-level statements around it
(:class:`autograd_lint.text_edits.TopLevel`): it must decide exactly as compiling the
whole file would, for every place an edit can land."""

from __future__ import annotations

import ast

import pytest

from autograd_lint import text_edits
from autograd_lint.diagnostics import Edit, Fix, Range
from autograd_lint.text_edits import TopLevel, fix_applies, line_starts

SOURCE = '''\
"""Module docstring."""
from __future__ import annotations

import torch


@torch.no_grad()
def evaluate(model, batches):
    total = 0.0
    for x in batches:
        total += model(x).sum().item()
    return total


class Trainer:
    def step(self, loss):
        loss.backward()

# a comment between statements
w = torch.ones(2, requires_grad=True)
if w.sum() > 0:
    w.grad = None
'''

SNIPPETS = [
    "return 1\n",
    "break\n",
    "nonlocal w\n",
    "x = 1\n",
    "    pass\n",
    "from __future__ import division\n",
    "yield\n",
    "await w\n",
    "(",
    "",
]


def _fixes() -> list[Fix]:
    lines = SOURCE.count("\n")
    fixes = []
    for line in range(1, lines + 1):
        for snippet in SNIPPETS:
            fixes.append(Fix("insert", (Edit(Range(line, 0, line, 0), snippet),)))
        text = SOURCE.splitlines()[line - 1]
        fixes.append(Fix("clear", (Edit(Range(line, 0, line, len(text)), "pass"),)))
        if line < lines:
            fixes.append(Fix("join", (Edit(Range(line, len(text), line + 1, 0), " "),)))
    return fixes


@pytest.mark.parametrize("fix", _fixes(), ids=lambda f: f"{f.title}@{f.edits[0].range}")
def test_top_level_validation_decides_as_the_whole_file(fix: Fix) -> None:
    assert TopLevel(SOURCE).fix_applies(fix) == fix_applies(SOURCE, fix)


def test_fixes_far_into_a_large_file_are_validated() -> None:
    body = "".join(f"def f{n}():\n    return {n}\n\n\n" for n in range(20_000))
    source = SOURCE + body
    last = len(line_starts(source)) - 3
    statements = TopLevel(source)
    good = Fix("ok", (Edit(Range(last, 4, last, 10), "return"),))
    bad = Fix("bad", (Edit(Range(last, 0, last, 0), "return 0\n"),))
    assert statements.fix_applies(good) and fix_applies(source, good)
    assert not statements.fix_applies(bad) and not fix_applies(source, bad)


def test_a_remembered_compile_outcome_is_the_texts_own() -> None:
    good, bad = "def f():\n    return 1\n", "return 1\n"
    for _ in range(2):  # the second time from what was remembered
        assert text_edits.compiles(good)
        assert not text_edits.compiles(bad)
    assert text_edits._compiled.get(good) is True
    assert text_edits._compiled.get(bad) is False


def test_remembered_compile_outcomes_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(text_edits, "COMPILED_CHARS", 1_000)
    monkeypatch.setattr(text_edits, "_compiled", text_edits.OrderedDict())
    monkeypatch.setattr(text_edits, "_compiled_size", 0)
    for i in range(200):
        assert text_edits.compiles(f"x = {i}\n")
    assert text_edits._compiled_size <= 1_000
    assert sum(map(len, text_edits._compiled)) == text_edits._compiled_size
    assert not text_edits.compiles("x" * 200 + " = (\n")  # over a tenth: not remembered
    assert "x" * 200 + " = (\n" not in text_edits._compiled


def test_the_future_imports_in_front_of_a_fixed_statement_are_their_text() -> None:
    source = '"""Doc é."""\nfrom __future__ import (\n    annotations,\n)\nx = "é"\n'
    expected = "".join(
        (ast.get_source_segment(source, s) or "") + "\n"
        for s in ast.parse(source).body
        if isinstance(s, ast.ImportFrom)
    )
    assert TopLevel(source).future == expected == "from __future__ import (\n    annotations,\n)\n"
