"""A segmented file planned and analysed in several processes gives exactly what one process
gives: the same segments, the same findings (places, messages, fixes, related places), the
same notes; where the processes cannot stand for the one, the one process does the work.

The thresholds are lowered so that files of tens of kilobytes are cut into many segments
(the real ones, megabytes, are measured by ``benchmarks/bench_huge_file.py``).
"""

from __future__ import annotations

import os
import pickle
import textwrap
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from autograd_lint import forked, lint_segments, segment_processes
from autograd_lint.analysis import pruning, segments
from autograd_lint.analysis.trace import Trace
from autograd_lint.config import Settings
from autograd_lint.diagnostics import Diagnostic, FileResult
from autograd_lint.lint import active_rules, lint_source
from autograd_lint.rules import ALL_RULES, Rule
from autograd_lint.runner import CheckOptions, check_file, run_checks
from autograd_lint.text_edits import TopLevel
from tests.test_pruning import REALWORLD, REALWORLD_FILE, _filler
from tests.test_segments import GENERATED, LATE, _program

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    if not segment_processes.usable():
        pytest.skip("no forked processes here (no fork, macOS, or another thread runs)")
    monkeypatch.setattr(segments, "SEGMENT_THRESHOLD", 20_000)
    monkeypatch.setattr(segments, "SEGMENT_CHARS", 12_000)


@pytest.fixture
def children(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The process ids of the children forked meanwhile; at the end, none is left running."""
    made: list[int] = []
    original = forked.Child.__init__

    def spy(self: forked.Child, task: forked.Task) -> None:
        original(self, task)
        made.append(self.pid)

    monkeypatch.setattr(forked.Child, "__init__", spy)
    yield made
    for pid in made:  # every one was reaped: no zombie, no orphan
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def one_and_two(text: str, children: list[int]) -> tuple[FileResult, FileResult]:
    """The file linted in this process alone, then in two processes (which it must be)."""
    before = len(children)
    alone = lint_source(text, "big.py")
    assert len(children) == before
    shared = lint_source(text, "big.py", processes=2)
    assert len(children) > before, "the file was not analysed in other processes"
    return alone, shared


def same(alone: FileResult, shared: FileResult) -> None:
    assert shared.diagnostics == alone.diagnostics  # places, messages, fixes, related places
    assert shared.segments == alone.segments
    assert shared.stopped_at_line == alone.stopped_at_line
    assert shared.stopped_in_lines == alone.stopped_in_lines
    assert shared.dependencies == alone.dependencies
    assert shared.internal_errors == alone.internal_errors


def test_generated_training_code_in_two_processes(children: list[int]) -> None:
    alone, shared = one_and_two(GENERATED, children)
    assert alone.segments >= 5
    assert len({d.code for d in alone.diagnostics}) >= 3
    assert any(d.fix is not None for d in alone.diagnostics)
    same(alone, shared)


def _as_functions(folder: Path, limit: int = 150_000) -> str:
    """The files of ``folder`` one after another, each the body of a function of its own
    (so its names are its own, and its findings need no other file's facts)."""
    parts: list[str] = []
    for index, path in enumerate(sorted(folder.rglob("*.py"))):
        text = path.read_text(encoding="utf-8")
        if "import *" in text or "__future__" in text:
            continue
        wrapped = f"def snippet_{index}():\n{textwrap.indent(text, '    ')}\n    pass\n"
        try:
            compile(wrapped, str(path), "exec", dont_inherit=True)
        except SyntaxError:  # a snippet with ``nonlocal`` at its top, say
            continue
        parts.append(wrapped)
        if sum(map(len, parts)) > limit:
            break
    return "\n\n".join(parts)


@pytest.mark.parametrize("as_functions", [False, True])
def test_real_world_snippets_one_after_another_in_two_processes(
    children: list[int], as_functions: bool
) -> None:
    text = _as_functions(REALWORLD) if as_functions else REALWORLD_FILE
    alone, shared = one_and_two(text, children)
    assert alone.segments >= 6
    if as_functions:  # one after another at the top level, they share too many names
        assert len(alone.diagnostics) >= 20 and len({d.code for d in alone.diagnostics}) >= 4
    same(alone, shared)


def test_the_fixtures_one_after_another_in_two_processes(children: list[int]) -> None:
    text = _as_functions(FIXTURES)
    assert len(text) > 4 * segments.SEGMENT_CHARS
    alone, shared = one_and_two(text, children)
    assert alone.segments >= 4 and len(alone.diagnostics) >= 10
    same(alone, shared)


def test_plans_made_in_processes_are_the_one_process_s(children: list[int]) -> None:
    for text in (GENERATED, REALWORLD_FILE):
        alone = segments.plan(text)
        shared = segment_processes.plan(text, 2)
        assert alone is not None and shared is not None and len(alone) >= 5
        assert shared == alone  # texts, lines, statements, names: every field
    assert children


def test_an_import_is_carried_from_the_first_segment_to_a_child_far_below(
    children: list[int],
) -> None:
    text = _program("pass").replace("torch", "tt").replace("import tt\n", "import torch as tt\n")
    above = text.count("\n")
    text += _filler(1400, offset=800) + LATE  # two segments more: another child analyses it
    alone, shared = one_and_two(text, children)
    assert alone.segments >= 4
    assert [d.code for d in alone.diagnostics if d.line > above] == ["AG001"]  # needs ``tt``
    same(alone, shared)


def test_a_helper_in_one_segment_used_in_another(children: list[int]) -> None:
    reset_elsewhere = _program("reset()")
    alone, shared = one_and_two(reset_elsewhere, children)
    assert alone.segments >= 2 and alone.diagnostics == ()  # not "nothing resets"
    same(alone, shared)
    nothing_resets = _program("pass", helper=False)
    alone, shared = one_and_two(nothing_resets, children)
    assert [d.code for d in alone.diagnostics] == ["AG015"]
    same(alone, shared)


def test_grad_mode_set_at_the_top_of_the_file(children: list[int]) -> None:
    head = "import torch\n\ntorch.set_grad_enabled(False)\n"
    body = (
        "\n\nw = torch.randn(3, requires_grad=True)\n"
        "y = (w * w).sum()\n"
        "w.data.mul_(10)\n"
        "y.backward()\n"
    )
    for text in (head + body + _filler(1400), head + _filler(1400) + body):
        alone, shared = one_and_two(text, children)
        assert alone.segments >= 2
        same(alone, shared)


def test_files_the_segments_cannot_stand_for_are_analysed_whole_as_before(
    children: list[int],
) -> None:
    for change in ("from torch import *\n", "def g():\n    return )\n", "global w\n"):
        text = GENERATED + "\n" + change
        alone = lint_source(text, "big.py")
        shared = lint_source(text, "big.py", processes=2)
        assert alone.segments == shared.segments == 0
        assert shared.diagnostics == alone.diagnostics


def test_a_segment_that_does_not_parse_alone_is_planned_here(
    children: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list whose items start in column 0 is cut where a statement may start; the text up
    to such a cut does not parse, and the one process grows that segment until it does."""
    items = "".join(f"item_{i},\n" for i in range(3000))
    text = GENERATED + "\nnames = [\n" + items + "]\n" + _filler(300)
    grown: list[int] = []
    texts = segments.Planner.texts

    def spy(self: segments.Planner, pieces: list[str], begin: int, **kw: int) -> Iterator[object]:
        if begin:
            grown.append(begin)
        return texts(self, pieces, begin, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(segments.Planner, "texts", spy)
    planned = segments.plan(text)
    assert planned is not None and not grown
    assert segment_processes.plan(text, 2) == planned
    assert grown  # planning went on in this process from an unfinished cut
    alone, shared = one_and_two(text, children)
    assert alone.segments >= 5
    same(alone, shared)


def test_a_child_that_dies_leaves_its_segment_to_this_process(
    children: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    here = os.getpid()
    planned = segments.plan(GENERATED)
    assert planned is not None and len(planned) >= 5
    doomed_plan, doomed_analysis = planned[3].text, planned[2].line
    analyse, plan_one = segment_processes.lint_segment, segment_processes.planned_segment
    redone: list[str] = []

    def dying_plan(text: str, *args: object) -> object:
        if text == doomed_plan:
            if os.getpid() != here:
                os._exit(3)  # a crash in a native extension, say
            redone.append("plan")
        return plan_one(text, *args)  # type: ignore[arg-type]

    def dying(segment: segments.Segment, *args: object) -> object:
        if os.getpid() != here and segment.line == doomed_analysis:
            os._exit(3)
        return analyse(segment, *args)  # type: ignore[arg-type]

    here_too = lint_segments.outcomes_here

    def spy(rest: list[segments.Segment], job: lint_segments.SegmentJob) -> object:
        redone.append(f"analysis from line {rest[0].line}")
        return here_too(rest, job)

    monkeypatch.setattr(segment_processes, "planned_segment", dying_plan)
    monkeypatch.setattr(segment_processes, "lint_segment", dying)
    monkeypatch.setattr(segment_processes, "outcomes_here", spy)
    alone, shared = one_and_two(GENERATED, children)
    assert redone == ["plan", f"analysis from line {doomed_analysis}"]
    same(alone, shared)


def test_an_internal_error_in_a_child_is_reported_as_in_one_process(
    children: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = segments.plan(GENERATED)
    assert planned is not None
    third = planned[2].line
    rule = type(ALL_RULES[0])
    original = rule.check

    def failing(self: Rule, trace: Trace) -> Iterable[Diagnostic]:
        if trace.line_offset == third:
            raise KeyError("the third segment")
        return original(self, trace)

    monkeypatch.setattr(rule, "check", failing)
    alone, shared = one_and_two(GENERATED, children)
    assert any("the third segment" in what for what, _ in alone.internal_errors)
    same(alone, shared)


def test_no_child_is_forked_while_another_thread_runs(children: list[int]) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        result = lint_source(GENERATED, "big.py", processes=2)
    finally:
        stop.set()
        thread.join()
    assert result.segments >= 5 and not children
    assert result.diagnostics == lint_source(GENERATED, "big.py").diagnostics


def test_the_runner_analyses_one_large_file_in_several_processes(
    children: list[int], tmp_path: Path
) -> None:
    path = tmp_path / "big.py"
    path.write_text(GENERATED)
    alone = check_file(str(path), CheckOptions(Settings()))
    assert not children
    (outcome,) = run_checks([str(path)], CheckOptions(Settings()), jobs=1)
    assert bool(children) == ((os.cpu_count() or 1) > 1)
    assert outcome.result.diagnostics == alone.result.diagnostics
    assert outcome.warnings == alone.warnings  # "analysed in segments" included


def test_the_outcome_of_a_segment_is_plain_data() -> None:
    """What a child sends back is what the one process keeps (nothing tied to a tree)."""
    planned = segments.plan(GENERATED)
    assert planned is not None
    context = segments.Context.of(planned)
    rules = active_rules(Settings(), "big.py")
    job = lint_segments.SegmentJob(context, "big.py", Settings(), rules, False, None)
    outcomes = [lint_segments.lint_segment(segment, job) for segment in planned]
    assert any(outcome.found for outcome in outcomes)
    assert pickle.loads(pickle.dumps(outcomes)) == outcomes


def test_a_segment_s_fix_check_knows_its_statements_from_its_plan() -> None:
    """The statements the fix check would parse a segment for are those it was planned
    with: the same spans, the same ``__future__`` imports, the same verdict on every fix."""
    planned = segments.plan(GENERATED)
    assert planned is not None and planned[0].future
    pruned, _ = pruning.prune(planned)
    fixes = [d.fix for d in lint_source(GENERATED, "big.py").diagnostics if d.fix is not None]
    assert fixes
    for segment in pruned:
        parsed = TopLevel(segment.text)
        known = TopLevel.known(segment.text, segment.spans, segment.future, bool(segment.line))
        assert known.spans == parsed.spans and known.starts == parsed.starts
        assert known.future == (segment.future if segment.line else parsed.future)
        for fix in fixes:  # placed in this segment or not: the same answer either way
            if segment.line:
                parsed.future, parsed.future_outside = segment.future, True
            assert known.fix_applies(fix) == parsed.fix_applies(fix)
