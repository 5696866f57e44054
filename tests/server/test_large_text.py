"""A document too large to parse whole is linted in segments by the server's workers, as
``check`` lints such a file, and none of its parse is kept."""

from __future__ import annotations

import pytest

from autograd_lint.analysis import segments
from autograd_lint.config import Settings
from autograd_lint.lint import lint_source
from autograd_lint.server import pool
from autograd_lint.server.convert import budget_diagnostic
from tests.test_segments import GENERATED


@pytest.fixture
def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(segments, "SEGMENT_THRESHOLD", 20_000)
    monkeypatch.setattr(segments, "SEGMENT_CHARS", 12_000)


def test_a_huge_document_is_linted_in_segments_and_its_parse_not_kept(
    small_segments: None,
) -> None:
    cache = pool.chunk_cache()
    cache.clear()
    small = GENERATED[:15_000].rsplit("\n\n\n", 1)[0] + "\n"
    assert pool.lint_job(small, "doc.py", Settings()).segments == 0
    held = sum(len(text) for text in cache._parsed)
    assert 0 < held <= len(small)  # the small text went through the cache
    result = pool.lint_job(GENERATED, "doc.py", Settings())
    assert result.segments >= 5
    assert sum(len(text) for text in cache._parsed) <= len(small)  # nothing of the large one
    assert "doc.py" not in cache._live or not cache._live["doc.py"]
    assert result.diagnostics == lint_source(GENERATED, "doc.py").diagnostics
    witnessed = pool.witness_job(GENERATED, "doc.py", Settings())
    assert [d.range for d in witnessed.diagnostics] == [d.range for d in result.diagnostics]
    assert pool.facts_job(GENERATED, "doc.py", Settings(), (1, 10_000, 1)) == []
    assert pool.facts_job(small, "doc.py", Settings(), (1, 10_000, 1))  # small: facts as ever


def test_the_editor_s_budget_note_names_the_segment_that_stopped() -> None:
    lines = ["x = 1"] * 30
    whole = budget_diagnostic(12, lines)
    assert "what it had not reached is not checked" in whole.message
    part = budget_diagnostic(12, lines, (10, 20))
    assert "the analysis of lines 10-20 " in part.message
    assert part.message.endswith("what it had not reached of lines 10-20 is not checked")
    assert part.range == whole.range
