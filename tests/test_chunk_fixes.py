"""The fix check on parsed chunks decides as the whole file's check decides.

Random edits (some that compile, some that cannot: ``return`` or ``break`` out of place, an
unclosed bracket, a block where a line is expected) are placed on random lines of real
files, and :class:`ChunkFixes` must agree with :class:`TopLevel` on each.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from autograd_lint.analysis.chunks import ChunkCache
from autograd_lint.chunk_fixes import ChunkFixes
from autograd_lint.diagnostics import Edit, Fix, Range
from autograd_lint.text_edits import TopLevel, line_starts

pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")  # compile() of broken fixes

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(
    [*ROOT.glob("tests/realworld/AG*/**/*.py"), *ROOT.glob("autograd_lint/examples/*.py")]
)[::4]

TEXTS = [
    "pass",
    "return 1",
    "break",
    "x = (",
    "y = 2",
    "if x:\n    pass",
    "nonlocal q",
    "def g():\n    return 1\n",
    "import torch\n",
    "from __future__ import annotations\n",
    "",
    "@decorated\n",
]

FUTURE = (
    "from __future__ import annotations\n"
    "import torch\n\n\n"
    "def f(x: Undefined) -> Undefined:\n    return x\n\n\n"
    "class C:\n    def m(self):\n        return 1\n\n\n"
    "x = 1\n"
)


def _random_fix(rng: random.Random, source: str) -> Fix:
    lines = source.split("\n")
    line = rng.randrange(1, len(lines) + 1)
    text = lines[line - 1]
    start = rng.randrange(len(text) + 1)
    end_line = min(line + rng.choice([0, 0, 0, 1, 2]), len(lines))
    end_text = lines[end_line - 1]
    end = (
        rng.randrange(len(end_text) + 1) if end_line > line else rng.randrange(start, len(text) + 1)
    )
    new = rng.choice(TEXTS)
    return Fix(title="t", edits=(Edit(Range(line, start, end_line, end), new),), safe=True)


def _agree(source: str, rng: random.Random, tries: int) -> list[bool]:
    chunked = ChunkCache().assemble(source)
    assert chunked is not None
    check = ChunkFixes(source, chunked)
    assert check.usable
    whole = TopLevel(source)
    outcomes = []
    for _ in range(tries):
        fix = _random_fix(rng, source)
        expected = whole.fix_applies(fix)
        assert check.fix_applies(fix) is expected, fix
        outcomes.append(expected)
    return outcomes


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_chunk_fix_check_agrees_with_the_whole_file_check(path: Path) -> None:
    source = path.read_text()
    outcomes = _agree(source, random.Random(path.name), 40)
    assert True in outcomes and False in outcomes  # both answers were asked for


def test_future_imports_are_put_in_front_of_a_piece_without_them() -> None:
    rng = random.Random(7)
    outcomes = _agree(FUTURE, rng, 200)
    assert True in outcomes and False in outcomes
    chunked = ChunkCache().assemble(FUTURE)
    assert chunked is not None
    check = ChunkFixes(FUTURE, chunked)
    assert check.future == "from __future__ import annotations\n"
    # a fix far from line 1 compiles with the future import in front
    last = len(line_starts(FUTURE)) - 1
    late = Fix("t", (Edit(Range(last, 0, last, 0), "from __future__ import annotations\n"),), True)
    assert check.fix_applies(late) is TopLevel(FUTURE).fix_applies(late) is False


def test_a_text_without_a_final_newline_is_checked_to_its_last_line() -> None:
    source = "import torch\n\n\ndef f(w):\n    return w"
    chunked = ChunkCache().assemble(source)
    assert chunked is not None
    check = ChunkFixes(source, chunked)
    fine = Fix("t", (Edit(Range(5, 4, 5, 12), "return 2 * w"),), True)
    broken = Fix("t", (Edit(Range(5, 4, 5, 12), "return (w"),), True)
    assert check.fix_applies(fine) and TopLevel(source).fix_applies(fine)
    assert not check.fix_applies(broken) and not TopLevel(source).fix_applies(broken)
