"""File discovery: default excludes, .gitignore, exclude patterns, explicit files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from autograd_lint.config import Settings
from autograd_lint.discovery import Discovery, discover


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n", encoding="utf-8")


def relative(files: list[str], root: Path) -> list[str]:
    return [Path(f).relative_to(root).as_posix() for f in files]


def test_walks_python_files_sorted_and_skips_default_excludes(tmp_path: Path) -> None:
    touch(
        tmp_path,
        "train.py",
        "model/net.py",
        "model/README.md",
        "a_first.py",
        ".git/hooks/x.py",
        ".venv/lib/site.py",
        "node_modules/pkg/x.py",
        "model/__pycache__/net.py",
        "build/lib/train.py",
        "pkg.egg-info/x.py",
    )
    files = relative(discover([tmp_path], Settings(), tmp_path), tmp_path)
    assert files == ["a_first.py", "model/net.py", "train.py"]


def test_gitignore_is_honored_including_nested_and_negation(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("generated/\n*_pb2.py\n", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("scratch*.py\n!scratch_keep.py\n")
    touch(
        tmp_path,
        "ok.py",
        "generated/out.py",
        "msg_pb2.py",
        "sub/scratch1.py",
        "sub/scratch_keep.py",
        "sub/real.py",
    )
    files = relative(discover([tmp_path], Settings(), tmp_path), tmp_path)
    assert files == ["ok.py", "sub/real.py", "sub/scratch_keep.py"]


def test_gitignore_above_the_walked_directory_applies(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("*_gen.py\n", encoding="utf-8")
    touch(tmp_path, "src/a.py", "src/b_gen.py")
    files = relative(discover([tmp_path / "src"], Settings(), tmp_path), tmp_path)
    assert files == ["src/a.py"]


def test_gitignore_can_be_turned_off(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("skipped.py\n", encoding="utf-8")
    touch(tmp_path, "skipped.py")
    files = Discovery(Settings(), tmp_path, respect_gitignore=False).files([tmp_path])
    assert relative(files, tmp_path) == ["skipped.py"]


def test_extend_exclude_adds_and_exclude_replaces_defaults(tmp_path: Path) -> None:
    touch(tmp_path, "keep.py", "legacy/old.py", "build/gen.py", "data/loader.py")
    extended = Settings(extend_exclude=("legacy/",))
    assert relative(discover([tmp_path], extended, tmp_path), tmp_path) == [
        "data/loader.py",
        "keep.py",
    ]
    replaced = Settings(exclude=("data",))
    assert relative(discover([tmp_path], replaced, tmp_path), tmp_path) == [
        "build/gen.py",
        "keep.py",
        "legacy/old.py",
    ]


def test_exclude_patterns_are_relative_to_the_root(tmp_path: Path) -> None:
    touch(tmp_path, "src/models/gen.py", "src/models/real.py", "other/models/gen.py")
    settings = Settings(extend_exclude=("src/models/gen.py",))
    files = relative(discover([tmp_path], settings, tmp_path), tmp_path)
    assert files == ["other/models/gen.py", "src/models/real.py"]


def test_explicit_files_are_always_checked(tmp_path: Path) -> None:
    touch(tmp_path, "build/gen.py", "notes.txt", "ignored.py")
    (tmp_path / ".gitignore").write_text("ignored.py\n", encoding="utf-8")
    explicit = [
        str(tmp_path / "build/gen.py"),
        str(tmp_path / "notes.txt"),
        str(tmp_path / "ignored.py"),
    ]
    assert discover(explicit, Settings(), tmp_path) == explicit


def test_force_exclude_applies_patterns_to_explicit_files(tmp_path: Path) -> None:
    touch(tmp_path, "vendored/lib/upstream.py", "build/gen.py", "src/train.py", "src/gen_x.py")
    explicit = [
        str(tmp_path / "vendored/lib/upstream.py"),  # inside an excluded directory
        str(tmp_path / "build/gen.py"),  # a default exclude
        str(tmp_path / "src/gen_x.py"),  # a file pattern
        str(tmp_path / "src/train.py"),
        str(tmp_path / "vendored"),  # an excluded directory named as such
    ]
    settings = Settings(extend_exclude=("vendored/", "gen_*.py"), force_exclude=True)
    assert discover(explicit, settings, tmp_path) == [str(tmp_path / "src/train.py")]
    without = Settings(extend_exclude=("vendored/", "gen_*.py"))
    assert discover(explicit[:4], without, tmp_path) == explicit[:4]


def test_missing_paths_pass_through_to_be_reported(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.py")
    assert discover([missing], Settings(), tmp_path) == [missing]


def test_order_follows_arguments_and_duplicates_are_dropped(tmp_path: Path) -> None:
    touch(tmp_path, "b.py", "a/x.py")
    b = str(tmp_path / "b.py")
    files = discover([b, tmp_path / "a", tmp_path], Settings(), tmp_path)
    assert relative(files, tmp_path) == ["b.py", "a/x.py"]


def test_relative_arguments_stay_relative(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    touch(tmp_path, "pkg/m.py")
    monkeypatch.chdir(tmp_path)
    assert discover(["pkg"], Settings()) == [os.path.join("pkg", "m.py")]


def test_dangling_symlinks_and_symlinked_dirs_in_a_walk_are_skipped(tmp_path: Path) -> None:
    touch(tmp_path, "real/m.py")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "gone.py")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    files = relative(discover([tmp_path], Settings(), tmp_path), tmp_path)
    assert files == ["real/m.py"]
