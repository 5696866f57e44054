"""The README's wheel install, done for real: build the sdist, build the wheel from the
unpacked sdist (as ``python -m build`` does, so a file missing from the sdist fails here),
install the wheel into a fresh virtual environment and run ``autograd-lint example`` there.

No network: the build runs without isolation (``python -m build --no-isolation`` when the
``build`` package is installed, else setuptools' PEP 517 hooks called directly, which is all
``build`` does), and the venv sees the system's site-packages for the dependencies.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
HOOK = "from setuptools import build_meta as b; import sys; print(b.build_{kind}(sys.argv[1]))"


def _clean_environment() -> dict[str, str]:
    """No PYTHONPATH, so nothing can come from the checkout under test."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}


def _build(kind: str, source: Path, out: Path) -> Path:
    out.mkdir(exist_ok=True)
    if importlib.util.find_spec("build") is not None:
        command = [sys.executable, "-m", "build", "--no-isolation", f"--{kind}", "-o", str(out)]
    else:
        command = [sys.executable, "-c", HOOK.format(kind=kind), str(out)]
    subprocess.run(
        command, cwd=source, env=_clean_environment(), check=True, capture_output=True, timeout=300
    )
    (built,) = out.glob("*.tar.gz" if kind == "sdist" else "*.whl")
    return built


def _tracked_copy(destination: Path) -> Path:
    """The files git tracks (plus the working tree's versions of them): what a clone has."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, timeout=60
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return destination


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to list the tracked files")
def test_sdist_and_wheel_build_and_the_wheel_runs_the_example(tmp_path: Path) -> None:
    clone = _tracked_copy(tmp_path / "clone")
    sdist = _build("sdist", clone, tmp_path / "dist")
    with tarfile.open(sdist) as archive:
        names = archive.getnames()
        archive.extractall(tmp_path / "unpacked", filter="data")
    root = sdist.name.removesuffix(".tar.gz")
    assert f"{root}/autograd_lint/examples/training_pitfalls.py" in names
    assert f"{root}/README.md" in names
    wheel = _build("wheel", tmp_path / "unpacked" / root, tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        inside = archive.namelist()
    assert "autograd_lint/examples/training_pitfalls.py" in inside
    assert "autograd_lint/py.typed" in inside
    assert not [name for name in inside if name.startswith("tests/")]

    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)],
        check=True,
        timeout=120,
    )
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "install", "--no-index", "--no-deps", "--no-cache-dir", str(wheel)],
        env=_clean_environment(),
        check=True,
        capture_output=True,
        timeout=300,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = subprocess.run(
        [str(python), "-c", "import autograd_lint; print(autograd_lint.__file__)"],
        cwd=elsewhere,
        env=_clean_environment(),
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    assert Path(where).is_relative_to(venv), where
    example = subprocess.run(
        [str(venv / "bin" / "autograd-lint"), "example", "--runtime-check", "mini"],
        cwd=elsewhere,
        env=_clean_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert example.returncode == 1, example.stderr
    assert "AG001" in example.stdout and "confirmed" in example.stdout
    assert "Checking the bundled example" in example.stderr
