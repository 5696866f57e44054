"""A small fixed-seed fuzz run in the suite (generator and criteria: ``fuzz_programs.py``).

Two batches through the real command, one with ``--fix``: no crash, no lost file, no hang,
positions as Python counts lines, and fixed files still compile. A failure names the
program; ``python tests/fuzz_programs.py --seed S --programs N --keep DIR`` reproduces it.
"""

from __future__ import annotations

import pytest
from fuzz_programs import fuzz, generate


def test_generator_is_deterministic_and_covers_every_kind() -> None:
    first = [(p.name, p.source) for p in generate(7, 60)]
    assert first == [(p.name, p.source) for p in generate(7, 60)]
    kinds = {p.kind.split("-")[0] for p in generate(7, 60)}
    assert kinds == {"match", "nesting", "whitespace", "literal", "mutated"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_fixed_seed_fuzz_run_has_no_crash_lost_file_or_hang(jobs: int) -> None:
    report = fuzz(seed=2026 + jobs, count=30, batch=15, jobs=jobs, fix_every=2)
    assert report.programs == 30
    assert report.failures == [], report.summary()
