"""The pre-commit hook, installed and run by the real ``pre-commit try-repo``.

pre-commit clones the hook repository, builds a virtualenv and pip-installs the package into
it, exactly as a user's ``.pre-commit-config.yaml`` would. The repository is cloned to a
temporary directory first, so the test sees the committed hook definition whatever the state
of the working tree. Both runs share one PRE_COMMIT_HOME, so the environment is built once.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from samples import CLEAN
from samples import DATA_WRITE as PITFALL

REPO = Path(__file__).resolve().parents[1]


pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.skipif(shutil.which("pre-commit") is None, reason="pre-commit is not installed"),
]


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("precommit")
    hook_repo = base / "autograd-lint"
    git("clone", "--quiet", "--no-hardlinks", str(REPO), str(hook_repo), cwd=base)
    project = base / "project"
    project.mkdir()
    git("init", "--quiet", cwd=project)
    (project / "train_bad.py").write_text(PITFALL)
    (project / "train_ok.py").write_text(CLEAN)
    (project / "vendored").mkdir()
    (project / "vendored" / "upstream.py").write_text(PITFALL)
    (project / "pyproject.toml").write_text(
        '[tool.autograd-lint]\nextend-exclude = ["vendored/"]\n'
    )
    git("add", "-A", cwd=project)
    env = dict(os.environ)
    env.update(
        PRE_COMMIT_HOME=str(base / "cache"),
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
    )
    env.pop("PYTHONPATH", None)  # the hook must run the package it installed, not this tree
    return hook_repo, project, env


def try_repo(
    setup: tuple[Path, Path, dict[str, str]], sample: str
) -> subprocess.CompletedProcess[str]:
    hook_repo, project, env = setup
    return subprocess.run(
        ["pre-commit", "try-repo", str(hook_repo), "autograd-lint", "--files", sample],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=840,
    )


def test_hook_fails_on_a_pitfall_and_names_the_code(
    setup: tuple[Path, Path, dict[str, str]],
) -> None:
    run = try_repo(setup, "train_bad.py")
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "train_bad.py:5:1: AG001 " in output
    assert "Failed" in output


def test_hook_passes_on_clean_code(setup: tuple[Path, Path, dict[str, str]]) -> None:
    run = try_repo(setup, "train_ok.py")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Passed" in output


def test_hook_leaves_excluded_files_alone(setup: tuple[Path, Path, dict[str, str]]) -> None:
    """pre-commit names every staged file; the configured ``exclude`` still applies."""
    run = try_repo(setup, "vendored/upstream.py")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "AG001" not in output
