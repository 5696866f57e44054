"""No silent off-switch: a selector or config table that matches nothing is an error.

Each test runs the real command in a subprocess and checks that a typo exits 2 with a
message naming the bad code and where it came from, never "All checks passed!".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import DATA_WRITE, run_subprocess, write


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (("--select", "AG099"), "--select: unknown rule selector 'AG099'"),
        (("--ignore", "AG9"), "--ignore: unknown rule selector 'AG9'"),
        (("--extend-select", "XYZ1"), "--extend-select: unknown rule selector 'XYZ1'"),
        (("--select", "A"), "--select: unknown rule selector 'A'"),
    ],
)
def test_unknown_selector_in_a_flag_exits_2(
    tmp_path: Path, flags: tuple[str, ...], named: str
) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    run = run_subprocess("check", "train.py", *flags, cwd=tmp_path)
    assert run.code == 2, run
    assert named in run.err
    assert "All checks passed" not in run.err + run.out


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ('select = ["AG099"]', "select: unknown rule selector 'AG099'"),
        ('ignore = ["AG0001"]', "ignore: unknown rule selector 'AG0001'"),
        ('extend-select = ["AGX"]', "extend-select"),
        ('per-file-ignores = { "*.py" = ["AG7"] }', "per-file-ignores['*.py']"),
        ('severity = { AG099 = "info" }', "severity: unknown rule code 'AG099'"),
    ],
)
def test_unknown_selector_in_the_config_exits_2(tmp_path: Path, table: str, named: str) -> None:
    config = write(tmp_path, "pyproject.toml", f"[tool.autograd-lint]\n{table}\n")
    write(tmp_path, "train.py", DATA_WRITE)
    run = run_subprocess("check", "train.py", cwd=tmp_path)
    assert run.code == 2, run
    assert named in run.err
    assert str(config.resolve()) in run.err or "pyproject.toml" in run.err


def test_known_prefixes_and_builtin_codes_are_accepted(tmp_path: Path) -> None:
    write(tmp_path, "train.py", DATA_WRITE)
    for selector in ("AG", "AG0", "AG001", "E", "E999", "E902", "ALL"):
        run = run_subprocess("check", "train.py", "--select", selector, cwd=tmp_path)
        assert run.code in (0, 1), (selector, run)


def test_extend_select_adds_to_select(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.autograd-lint]\nselect = ["AG005"]\n')
    write(tmp_path, "train.py", DATA_WRITE)
    assert run_subprocess("check", "train.py", cwd=tmp_path).code == 0
    run = run_subprocess("check", "train.py", "--extend-select", "AG001", cwd=tmp_path)
    assert run.code == 1
    assert "AG001" in run.out


def test_malformed_discovered_pyproject_names_file_and_line(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.autograd-lint\n')
    write(tmp_path, "train.py", DATA_WRITE)
    run = run_subprocess("check", "train.py", cwd=tmp_path)
    assert run.code == 2, run
    assert "pyproject.toml" in run.err
    assert "invalid TOML" in run.err
    assert "line 4" in run.err


def test_underscore_table_gets_a_hint(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", '[tool.autograd_lint]\nselect = ["AG002"]\n')
    write(tmp_path, "train.py", DATA_WRITE)
    run = run_subprocess("check", "train.py", cwd=tmp_path)
    assert run.code == 2, run
    assert "did you mean [tool.autograd-lint]" in run.err


def test_unknown_code_in_noqa_warns_but_does_not_fail(tmp_path: Path) -> None:
    source = (
        "import torch\n"
        "w = torch.randn(3, requires_grad=True)\n"
        "w.data.mul_(10)  # noqa: AG099\n"
        "x = 1  # noqa: F401, AG999\n"
        "z = 2  # noqa: XYZ\n"
        "(w * w).sum().backward()\n"
        "w.data.zero_()\n"
    )
    write(tmp_path, "train.py", source)
    run = run_subprocess("check", "train.py", cwd=tmp_path)
    run = run_subprocess("check", "train.py", "--extend-select", "AG013", cwd=tmp_path)
    assert run.code == 1  # the finding stays: AG099 is not AG013
    assert "train.py:3: unknown rule code 'AG099' in `# noqa`" in run.err
    assert "train.py:4: unknown rule code 'AG999'" in run.err
    assert "F401" not in run.err  # another tool's code shares the comment
    assert "train.py:5: `# noqa: XYZ` names no rule code" in run.err
    quiet = run_subprocess("check", "train.py", cwd=tmp_path)
    assert quiet.code == 0
    assert "unknown rule code 'AG099'" in quiet.err
