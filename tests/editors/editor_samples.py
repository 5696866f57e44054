"""The pitfall files the editor tests open, and where their findings must appear.

Expected ranges are computed from the source text (the statement RULES.md says is flagged),
in LSP coordinates: 0-based lines, 0-based columns, end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

AG001_SOURCE = """\
import torch

w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
w.data.mul_(10)
y.backward()
"""
"""RULES.md's AG001 example: a `.data` write before a backward that saved `w` (error)."""

AG002_SOURCE = """\
import torch

out = torch.sigmoid(torch.randn(3, requires_grad=True))
c = out.detach()
c.zero_()
out.sum().backward()
"""
"""RULES.md's AG002 example: in-place on a detached alias of a tensor sigmoid saved."""

AG002_FIXED = AG002_SOURCE.replace("c = out.detach()", "c = out.detach().clone()")
"""The AG002 quick fix: ``out.detach()`` becomes ``out.detach().clone()``."""


@dataclass(frozen=True)
class Span:
    line: int
    start: int
    end: int


def statement_span(source: str, statement: str) -> Span:
    """The span of the line that holds exactly ``statement`` (indentation excluded)."""
    for number, line in enumerate(source.splitlines()):
        if line.strip() == statement:
            start = len(line) - len(line.lstrip())
            return Span(number, start, start + len(statement))
    raise AssertionError(f"{statement!r} is not a line of the sample")


AG001_SPAN = statement_span(AG001_SOURCE, "w.data.mul_(10)")
AG002_SPAN = statement_span(AG002_SOURCE, "c.zero_()")


def write_samples(folder: Path) -> tuple[Path, Path]:
    """Writes the two pitfall files into ``folder``; returns (AG001 file, AG002 file)."""
    folder.mkdir(parents=True, exist_ok=True)
    ag001 = folder / "data_mutation.py"
    ag002 = folder / "detached_alias.py"
    ag001.write_text(AG001_SOURCE, encoding="utf-8")
    ag002.write_text(AG002_SOURCE, encoding="utf-8")
    return ag001, ag002
