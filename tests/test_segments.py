"""A file too large to parse whole is analysed in segments: the same findings where none
needs facts from two segments, no finding that would, and a note that says so.

The thresholds are lowered so that files of a few dozen kilobytes are cut (the real ones,
a megabyte and more, are measured by ``benchmarks/bench_huge_file.py``).
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

from autograd_lint.analysis import segments
from autograd_lint.config import Settings
from autograd_lint.diagnostics import FileResult
from autograd_lint.lint import lint_source
from autograd_lint.runner import CheckOptions, check_file

ROOT = Path(__file__).resolve().parents[1]


def _corpus() -> object:
    # under its own name: ``corpus`` is the real-world corpus's module in other tests
    name = "benchmark_corpus"
    spec = importlib.util.spec_from_file_location(name, ROOT / "benchmarks" / "corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


GENERATED = _corpus().generate_file(random.Random(3), 0, 2400, 0.08)  # type: ignore[attr-defined]
"""Generated training code with pitfalls all along it (about 80 KB)."""


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


def test_segments_find_what_the_whole_file_analysis_finds(
    small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = whole(GENERATED, monkeypatch)
    result = lint_source(GENERATED, "big.py")
    assert result.segments >= 5
    lines = GENERATED.count("\n")
    assert len({d.code for d in expected.diagnostics}) >= 3
    assert max(d.line for d in expected.diagnostics) > lines * 0.8  # past the first segments
    assert result.diagnostics == expected.diagnostics  # messages, fixes, related places too
    assert any(d.fix is not None for d in result.diagnostics)


def _program(last: str, helper: bool = True) -> str:
    """A helper early in the file, a training loop at the module's end, far below."""
    filler = "".join(
        f"\n\ndef unrelated_{i}(x):\n    return [x * {i} for _ in range(3)]\n" for i in range(700)
    )
    return (
        "import torch\n\n"
        + ("\ndef reset():\n    opt.zero_grad()\n" if helper else "")
        + filler
        + "\n\nw = torch.randn(3, requires_grad=True)\n"
        "opt = torch.optim.SGD([w], lr=0.1)\n"
        "for _ in range(3):\n"
        "    loss = (w * w).sum()\n"
        "    loss.backward()\n"
        "    opt.step()\n"
        f"    {last}\n"
    )


def test_a_finding_that_needs_another_segment_s_facts_is_not_reported(
    small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    reset_elsewhere = _program("reset()")  # ``reset``, far above, zeroes ``opt``'s gradients
    assert whole(reset_elsewhere, monkeypatch).diagnostics == ()
    result = lint_source(reset_elsewhere, "big.py")
    assert result.segments >= 2
    assert result.diagnostics == ()  # not "nothing resets the gradients"
    monkeypatch.setattr(segments.Context, "open_lines", lambda self, segment: [])
    unfiltered = lint_source(reset_elsewhere, "big.py")  # what the filter keeps out
    assert [d.code for d in unfiltered.diagnostics] == ["AG015"]


def test_a_finding_within_one_segment_is_still_reported(
    small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    nothing_resets = _program("pass", helper=False)
    expected = whole(nothing_resets, monkeypatch)
    assert [d.code for d in expected.diagnostics] == ["AG015"]
    result = lint_source(nothing_resets, "big.py")
    assert result.segments >= 2
    assert result.diagnostics == expected.diagnostics
    last = nothing_resets.count("\n")
    assert result.diagnostics[0].line == last - 2  # the file's own lines, in the message too
    assert f"the loop at line {last - 4}," in result.diagnostics[0].message


LATE = (
    "\n\ndef late():\n"
    "    v = tt.randn(3, requires_grad=True)\n"
    "    y = (v * v).sum()\n"
    "    v.data.mul_(10)\n"
    "    y.backward()\n"
)


def test_an_import_bound_once_is_known_in_the_segments_below_it(
    small_segments: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = _program("pass").replace("torch", "tt").replace("import tt\n", "import torch as tt\n")
    above = text.count("\n")
    text += LATE
    expected = whole(text, monkeypatch)
    assert [d.code for d in expected.diagnostics if d.line > above] == ["AG001"]
    result = lint_source(text, "big.py")
    assert result.segments >= 2
    assert result.diagnostics == expected.diagnostics
    rebound = lint_source(text + "\n\ntt = None\n", "big.py")  # no longer surely torch
    assert [d for d in rebound.diagnostics if d.line > above] == []


@pytest.mark.parametrize(
    "change",
    [
        "from torch import *\n",  # a name bound in another segment would be torch's
        "def g():\n    return )\n",  # a syntax error: CPython's message for the whole file
    ],
)
def test_files_segments_cannot_stand_for_are_analysed_whole(
    small_segments: None, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    text = GENERATED + "\n" + change
    result = lint_source(text, "big.py")
    assert result.segments == 0
    assert result.diagnostics == whole(text, monkeypatch).diagnostics


def test_check_says_the_file_was_analysed_in_segments(small_segments: None, tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_text(GENERATED)
    outcome = check_file(str(path), CheckOptions(Settings()))
    (note,) = [w for w in outcome.warnings if "analysed in segments" in w]
    assert note.startswith("1: ") and "not reported" in note
    path.write_text(GENERATED[:15_000].rsplit("\n\n\n", 1)[0] + "\n")
    assert not [w for w in check_file(str(path), CheckOptions(Settings())).warnings]


def _opened(last: str) -> list[str]:
    """The first lines of the first segment's open statements, with ``last`` at the end of
    the file (two segments of filler later)."""
    filler = "".join(f"\n\ndef unrelated_{i}(x):\n    return x * {i}\n" for i in range(1400))
    text = "import torch\n\nmodel = make()\n\n\ndef step(x):\n    return model(x)\n"
    text += "\n\ndef alone(x):\n    return x\n" + filler + "\n\n" + last
    planned = segments.plan(text)
    assert planned is not None and len(planned) >= 3
    context = segments.Context.of(planned)
    first = planned[0]
    context.carry(first, {"torch": segments.ModuleRef("torch")})
    lines = first.text.split("\n")
    return [lines[start - 1] for start, _ in context.open_lines(first)]


def test_a_module_name_another_segment_s_top_level_changes_opens_its_statements(
    small_segments: None,
) -> None:
    assert _opened("model.freeze()\n") == ["model = make()", "def step(x):"]
    # a function nothing calls changes nothing: its ``model`` is its own parameter anyway
    assert _opened("def later(model):\n    model.freeze()\n") == []
    # ... unless the top level calls it
    assert _opened("def later():\n    model.freeze()\n\n\nlater()\n") == [
        "model = make()",
        "def step(x):",
    ]
