"""A segmented file's statements that no finding can rest on are not parsed, and the
findings stay those of the file parsed in full.

The thresholds are lowered so that files of tens of kilobytes are segmented (the real ones,
a megabyte and more, are measured by ``benchmarks/bench_huge_file.py``).
"""

from __future__ import annotations

import ast
import random
import re
from pathlib import Path

import pytest

from autograd_lint.analysis import frame, pruning, segments
from autograd_lint.config import Settings
from autograd_lint.diagnostics import FileResult
from autograd_lint.lint import lint_source
from autograd_lint.runner import CheckOptions, check_file
from tests.test_segments import GENERATED, _corpus

REALWORLD = Path(__file__).resolve().parent / "realworld"
_UTILITIES = [
    _corpus().util_function(random.Random(n), n)  # type: ignore[attr-defined]
    for n in range(4)
] + [_corpus().util_dataclass(random.Random(n), n) for n in range(4, 8)]  # type: ignore[attr-defined]
"""Data and configuration code of a real repository's kind, without autograd."""


@pytest.fixture
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segments, "SEGMENT_THRESHOLD", 20_000)
    monkeypatch.setattr(segments, "SEGMENT_CHARS", 12_000)


def whole(text: str, monkeypatch: pytest.MonkeyPatch) -> FileResult:
    with monkeypatch.context() as patch:
        patch.setattr(segments, "SEGMENT_THRESHOLD", 10**12)
        result = lint_source(text, "big.py")
    assert result.segments == 0
    return result


def unpruned(text: str, monkeypatch: pytest.MonkeyPatch) -> FileResult:
    with monkeypatch.context() as patch:
        patch.setattr(pruning, "ENABLED", False)
        result = lint_source(text, "big.py")
    assert result.segments >= 1
    return result


def skipped_lines(text: str) -> set[int]:
    """The 1-based lines of the file whose statements are not parsed."""
    planned = segments.plan(text)
    assert planned is not None
    pruned, _ = pruning.prune(planned)
    found: set[int] = set()
    for before, after in zip(planned, pruned, strict=True):
        kept = set(after.spans)
        for first, last in before.spans:
            if (first, last) not in kept:
                found.update(range(first + before.line, last + before.line + 1))
    return found


def _realworld_file(limit: int = 100_000) -> str:
    """The real-world corpus's files one after another, as one module of about ``limit``
    characters: what a segment cannot stand for (star imports, ``__future__`` imports past
    the top) left out."""
    parts: list[str] = []
    for path in sorted(REALWORLD.rglob("*.py")):
        if sum(map(len, parts)) > limit:
            break
        text = path.read_text(encoding="utf-8")
        if "import *" in text or re.search(r"^global\b", text, re.MULTILINE):
            continue
        text = re.sub(r"^from __future__ import .*$", "", text, flags=re.MULTILINE)
        try:
            compile(text, str(path), "exec", dont_inherit=True)
        except SyntaxError:
            continue
        parts.append(text)
        parts.append(_UTILITIES[len(parts) % len(_UTILITIES)])
    return "\n\n".join(parts) + "\n"


REALWORLD_FILE = _realworld_file()


def test_generated_training_code_keeps_every_finding(
    small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    skipped = skipped_lines(GENERATED)
    assert len(skipped) > 200  # the evaluation loops: no autograd word, nothing they share
    expected = whole(GENERATED, monkeypatch)
    assert len({d.code for d in expected.diagnostics}) >= 3
    result = lint_source(GENERATED, "big.py")
    assert result.diagnostics == expected.diagnostics  # places, messages and fixes too
    assert unpruned(GENERATED, monkeypatch).diagnostics == expected.diagnostics
    assert not skipped & {d.line for d in expected.diagnostics}


@pytest.mark.parametrize("name", ["generated", "realworld"])
def test_pruning_alone_finds_what_the_whole_file_analysis_finds(
    small_segments: None, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    text = GENERATED if name == "generated" else REALWORLD_FILE
    monkeypatch.setattr(segments, "SEGMENT_CHARS", 10**12)  # one segment: no boundary
    assert skipped_lines(text)
    expected = whole(text, monkeypatch)
    assert len(expected.diagnostics) >= 5
    result = lint_source(text, "big.py")
    assert result.segments == 1
    assert result.diagnostics == expected.diagnostics


def test_real_world_code_in_segments_loses_nothing_to_pruning(
    small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert len(REALWORLD_FILE) > 100_000
    assert skipped_lines(REALWORLD_FILE)
    result = lint_source(REALWORLD_FILE, "big.py")
    assert result.segments >= 6
    assert result.diagnostics == unpruned(REALWORLD_FILE, monkeypatch).diagnostics
    # files one after another share many names: segments report only what none depends on
    assert set(result.diagnostics) <= set(whole(REALWORLD_FILE, monkeypatch).diagnostics)


def _filler(count: int, offset: int = 0) -> str:
    return "".join(
        f"\n\ndef unrelated_{i}(x):\n    return [x * {i} for _ in range(3)]\n"
        for i in range(offset, offset + count)
    )


MAKE_LEAF = "\n\ndef make():\n    return torch.zeros(3, requires_grad=True)\n"
MAKE_PLAIN = "\n\ndef plain():\n    return torch.zeros(3)\n"


def test_a_finding_in_code_without_the_vocabulary_that_uses_autograd_values_is_kept(
    small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ``use`` holds no autograd word: it is kept because it calls ``make``, which does
    text = "import torch\n" + _filler(600) + MAKE_LEAF + MAKE_PLAIN + _filler(20, 600)
    use = "\n\ndef use():\n    w = make()\n    w.add_(1)\n    return w\n"
    look_alike = "\n\ndef use_plain():\n    w = plain()\n    w.add_(1)\n    return w\n"
    text += use + look_alike
    expected = whole(text, monkeypatch)
    assert [d.code for d in expected.diagnostics] == ["AG007"]
    line = text.splitlines().index("    w.add_(1)") + 1
    assert expected.diagnostics[0].line == line
    skipped = skipped_lines(text)
    assert line not in skipped and line + 5 in skipped  # ``use_plain`` is not parsed
    result = lint_source(text, "big.py")
    assert result.diagnostics == unpruned(text, monkeypatch).diagnostics
    # in a segment the fix (``with torch.no_grad():``) is not offered; the finding is the same
    assert [d.with_(fix=None) for d in result.diagnostics] == [
        d.with_(fix=None) for d in expected.diagnostics
    ]


MAKE_LOSS = "\n\ndef make_loss(w):\n    return (w * w).sum()\n"
RUN_TWICE = (
    "\n\ndef run():\n"
    "    w = torch.ones(3, requires_grad=True)\n"
    "    loss = make_loss(w)\n"
    "    loss.backward()\n"
    "    loss.backward()\n"
)


def test_a_name_a_kept_statement_reads_is_bound_as_in_the_file(
    small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ``make_loss`` holds no autograd word, some way above the function that calls it
    text = "import torch\n" + _filler(600) + MAKE_LOSS + _filler(20, 600) + RUN_TWICE
    first = text.splitlines().index("def make_loss(w):") + 1
    expected = whole(text, monkeypatch)
    assert [d.code for d in expected.diagnostics] == ["AG004"]
    assert first not in skipped_lines(text)
    assert lint_source(text, "big.py").diagnostics == expected.diagnostics
    kept = pruning._kept

    def without_make_loss(groups: list[pruning._Group]) -> list[bool]:
        return [f and "make_loss" not in g.binds for g, f in zip(groups, kept(groups), strict=True)]

    monkeypatch.setattr(pruning, "_kept", without_make_loss)  # what the backward pass prevents
    assert first in skipped_lines(text)
    assert lint_source(text, "big.py").diagnostics == ()  # unknown: silent, never wrong


def test_top_level_code_that_may_change_a_kept_name_is_kept(small_segments: None) -> None:
    head = "import torch\n\nHISTORY = []\n\n\ndef log(x):\n    HISTORY.append(x.detach())\n"
    text = head + _filler(600)
    lines = text.count("\n")
    text += "\n\nHISTORY.clear()\n\n\ndef report():\n    return len(HISTORY)\n" + _filler(5, 600)
    skipped = skipped_lines(text)
    assert lines + 3 not in skipped  # the top level runs it: it may change ``HISTORY``
    assert lines + 6 in skipped  # ``report`` only reads it, and nothing calls it


def test_a_finding_that_could_rest_on_skipped_code_is_not_reported(
    small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Skipped code counts as one more segment for precision: a helper that zeroes the
    gradients, forced out of the parse, makes the loop that calls it silent, not wrong."""
    text = (
        "import torch\n"
        + _filler(600)
        + "\n\ndef reset():\n    opt.zero_grad()\n"
        + (
            "\n\nw = torch.randn(3, requires_grad=True)\n"
            "opt = torch.optim.SGD([w], lr=0.1)\n"
            "for _ in range(3):\n"
            "    loss = (w * w).sum()\n"
            "    loss.backward()\n"
            "    opt.step()\n"
            "    reset()\n"
        )
    )
    assert whole(text, monkeypatch).diagnostics == ()
    first = text.splitlines().index("def reset():") + 1
    assert first not in skipped_lines(text)  # ``reset`` uses ``opt``, made by autograd code
    assert lint_source(text, "big.py").diagnostics == ()
    kept = pruning._kept

    def without_reset(groups: list[pruning._Group]) -> list[bool]:
        return [f and "reset" not in g.binds for g, f in zip(groups, kept(groups), strict=True)]

    monkeypatch.setattr(pruning, "_kept", without_reset)
    assert first in skipped_lines(text)
    assert lint_source(text, "big.py").diagnostics == ()
    monkeypatch.setattr(segments.Context, "open_lines", lambda self, segment: [])
    unfiltered = lint_source(text, "big.py")  # what counting skipped code keeps out
    assert [d.code for d in unfiltered.diagnostics] == ["AG015"]


def test_a_syntax_error_in_code_that_would_be_skipped_is_cpython_s(
    small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = GENERATED + "\n\ndef helper(rows):\n    return len(rows)\n\n\nbreak\n"
    with pytest.raises(SyntaxError) as raised:
        compile(text, "big.py", "exec")
    (error,) = lint_source(text, "big.py").diagnostics
    assert error.code == "E999" and error.message == f"SyntaxError: {raised.value.msg}"
    assert error.line == raised.value.lineno == text.count("\n")
    assert whole(text, monkeypatch).diagnostics == (error,)


def test_the_budget_note_of_a_segment_names_only_that_segment_s_lines(
    small_segments: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(frame, "MAX_STATEMENTS", 400)
    path = tmp_path / "big.py"
    path.write_text(GENERATED)
    outcome = check_file(str(path), CheckOptions(Settings()))
    (note,) = [w for w in outcome.warnings if "too complex" in w]
    place, first, last = re.search(r"^(\d+): .* of lines (\d+)-(\d+) ", note).groups()  # type: ignore[union-attr]
    assert int(first) <= int(place) <= int(last) < GENERATED.count("\n")
    assert f"not reached of lines {first}-{last} is not checked" in note
    later = [d for d in outcome.result.diagnostics if d.line > int(last)]
    assert later  # the segments after it are checked
    planned = segments.plan(GENERATED)
    assert planned is not None
    starts = [s.line + 1 for s in planned]
    assert int(first) in starts
    assert int(last) + 1 in starts  # the segment's own last line
    tree = ast.parse(GENERATED)
    assert any(s.lineno <= int(place) <= (s.end_lineno or 0) for s in tree.body)
