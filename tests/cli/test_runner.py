"""The runner: input order, identical serial and parallel results, per-file error isolation."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest
from cli_support import CLEAN, DATA_WRITE, SNAPSHOT

from autograd_lint.config import Settings
from autograd_lint.runner import CheckOptions, chunk_size, resolve_jobs, run_checks


def make_files(directory: Path, count: int) -> list[str]:
    texts = [DATA_WRITE, SNAPSHOT, CLEAN, "import torch\nx = (\nx.backward()\n"]
    paths = []
    # Names in reverse order, so that "input order" differs from any sorted order.
    for index in range(count):
        path = directory / f"f{count - index:03d}.py"
        path.write_text(texts[index % len(texts)])
        paths.append(str(path))
    return paths


def summary(outcomes: list) -> list[tuple[str, tuple[str, ...]]]:  # type: ignore[type-arg]
    return [(o.result.path, tuple(d.code for d in o.result.diagnostics)) for o in outcomes]


def test_parallel_results_equal_serial_in_input_order(tmp_path: Path) -> None:
    files = make_files(tmp_path, 20)
    options = CheckOptions(Settings())
    serial = run_checks(files, options, jobs=1)
    parallel = run_checks(files, options, jobs=2)
    assert [o.result.path for o in parallel] == files
    assert summary(serial) == summary(parallel)
    assert summary(serial)[:4] == [
        (files[0], ("AG001",)),
        (files[1], ("AG005",)),
        (files[2], ()),
        (files[3], ("E999",)),
    ]
    # Sources are not shipped back unless asked for.
    assert all(o.result.source is None for o in parallel)
    kept = run_checks(files[:2], CheckOptions(Settings(), keep_source=True), jobs=2)
    assert kept[0].result.source == DATA_WRITE


def test_one_failing_file_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import autograd_lint.runner as runner

    real = runner.lint_path

    def flaky(path: str, settings: Settings, **options: int):  # type: ignore[no-untyped-def]
        if path.endswith("f002.py"):
            raise KeyError("boom")
        return real(path, settings, **options)

    monkeypatch.setattr(runner, "lint_path", flaky)
    files = make_files(tmp_path, 3)
    outcomes = run_checks(files, CheckOptions(Settings()), jobs=1)
    assert [o.error for o in outcomes] == [None, "the check failed: KeyError: 'boom'", None]
    assert outcomes[1].error_traceback and "KeyError" in outcomes[1].error_traceback
    assert [d.code for d in outcomes[1].result.diagnostics] == ["E001"]
    assert [d.code for d in outcomes[0].result.diagnostics] == ["AG001"]


def test_no_progress_bar_when_stderr_is_not_a_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = make_files(tmp_path, 60)
    run_checks(files, CheckOptions(Settings()), jobs=1, progress=True)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_jobs_and_chunks() -> None:
    assert resolve_jobs(0) == max(1, os.cpu_count() or 1)
    assert resolve_jobs(3) == 3
    assert chunk_size(10, 2) == 1
    assert chunk_size(800, 2) == 64
    assert chunk_size(200, 2) == 25


@pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork", reason="needs forked workers to patch"
)
def test_a_worker_that_dies_is_reported_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import signal

    import autograd_lint.runner as runner

    real = runner.lint_path

    def crashing(path: str, settings: Settings, **options: int):  # type: ignore[no-untyped-def]
        if path.endswith("f007.py"):
            os.kill(os.getpid(), signal.SIGSEGV)  # what a native parser crash looks like
        return real(path, settings, **options)

    # Worker processes are forked, so they inherit the patched function.
    monkeypatch.setattr(runner, "lint_path", crashing)
    files = make_files(tmp_path, 12)
    outcomes = run_checks(files, CheckOptions(Settings()), jobs=2)
    assert [o.result.path for o in outcomes] == files
    crashed = [o.result.path for o in outcomes if o.error]
    assert crashed == [str(tmp_path / "f007.py")]
    assert "process died" in (outcomes[files.index(crashed[0])].error or "")
    expected = summary(run_checks([f for f in files if f not in crashed], CheckOptions(Settings())))
    assert [s for s in summary(outcomes) if s[0] not in crashed] == expected
