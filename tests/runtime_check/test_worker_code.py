"""The worker's precompiled modules: complete, reused, renewed when sources change, optional."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograd_lint.runtime_check import sandbox, worker_code

SCRIPT = "import torch\nx = torch.ones(2, requires_grad=True)\n(x * x).sum().backward()\n"
RUN = sandbox.Run(0, SCRIPT)


def _worker_imports() -> set[str]:
    """The package's modules a worker imports by the time it has run a witness."""
    code = (
        "import sys\n"
        "from autograd_lint.runtime_check import worker\n"
        "modules = worker._load_backend('mini')\n"
        f"assert worker._revalidate({{'script': {SCRIPT!r}}}) is None\n"
        f"worker.execute({{'id': 0, 'script': {SCRIPT!r}}}, modules, lambda: None)\n"
        "print('\\n'.join(n for n in sys.modules if n.startswith('autograd_lint')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=worker_code.PACKAGE_ROOT,
    )
    return set(done.stdout.split())


def test_every_module_the_worker_imports_is_precompiled() -> None:
    imported = _worker_imports()
    assert "autograd_lint.runtime_check.engine.tensor" in imported  # the probe saw the engine
    assert imported <= set(worker_code.worker_sources())


def test_worker_loads_its_modules_from_the_precompiled_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    outcome = sandbox.run_batch([RUN], "mini", "cpu", reuse=False)
    assert outcome.results[0]["finished"] is True
    loaded = {name for name in outcome.precompiled if name.startswith("autograd_lint")}
    assert "autograd_lint.runtime_check.engine.tensor" in loaded
    assert loaded <= set(worker_code.worker_sources())
    (bundle,) = (tmp_path / "autograd-lint").glob("worker-code-*.marshal")
    assert bundle == worker_code.prepared_bundle()


def test_the_file_is_written_once_and_reused(tmp_path: Path) -> None:
    first = worker_code.prepared_bundle(tmp_path)
    assert first is not None and first.is_file()
    written = first.stat().st_mtime_ns
    assert worker_code.prepared_bundle(tmp_path) == first
    assert first.stat().st_mtime_ns == written
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_changed_sources_get_a_new_file_and_only_the_newest_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "root"
    shutil.copytree(
        worker_code.PACKAGE_ROOT / "autograd_lint",
        root / "autograd_lint",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    monkeypatch.setattr(worker_code, "PACKAGE_ROOT", root)
    cache = tmp_path / "cache"
    messages = root / "autograd_lint" / "runtime_check" / "engine" / "messages.py"
    written = []
    for version in range(worker_code.KEEP + 1):
        messages.write_text(messages.read_text() + f"\nEXTRA_{version} = 1\n")
        bundle = worker_code.prepared_bundle(cache)
        assert bundle is not None and bundle not in written
        os.utime(bundle, ns=(version * 10**9, version * 10**9))  # distinct ages
        written.append(bundle)
    assert sorted(cache.iterdir()) == sorted(written[1:])
    assert worker_code.prepared_bundle(cache) == written[-1]


def test_a_corrupt_file_is_ignored_and_the_worker_compiles_from_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corrupt = tmp_path / "worker-code-corrupt.marshal"
    corrupt.write_bytes(b"\x00not marshal data")
    monkeypatch.setattr(sandbox, "prepared_bundle", lambda: corrupt)
    outcome = sandbox.run_batch([RUN], "mini", "cpu", reuse=False)
    assert outcome.results[0]["finished"] is True
    assert outcome.precompiled == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only directories")
def test_an_unwritable_cache_means_no_file_and_replays_still_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    assert worker_code.prepared_bundle(locked / "autograd-lint") is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(locked))
    outcome = sandbox.run_batch([RUN], "mini", "cpu", reuse=False)
    assert outcome.results[0]["finished"] is True
    assert outcome.precompiled == []


def test_a_cache_path_that_is_a_file_means_no_file_and_replays_still_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    assert worker_code.prepared_bundle(blocker / "autograd-lint") is None
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    outcome = sandbox.run_batch([RUN], "mini", "cpu", reuse=False)
    assert outcome.results[0]["finished"] is True
    assert outcome.precompiled == []
