"""The text read as Python reads it: identifiers NFKC-normalised (fullwidth ``w`` is ``w``), lines
ended by ``\\n``, ``\\r\\n`` or ``\\r`` only. Through the real command."""

from __future__ import annotations

from pathlib import Path

import pytest
from cli_support import run_subprocess

PITFALL = (
    "import torch\n"
    "\n"
    "w = torch.randn(3, requires_grad=True)\n"
    "y = (w * w).sum()\n"
    "w.data.mul_(10)\n"
    "y.backward()\n"
)


def check(tmp_path: Path, text: str, *argv: str) -> tuple[int, str]:
    (tmp_path / "m.py").write_bytes(text.encode("utf-8"))
    run = run_subprocess("check", "--no-progress", "--no-cache", *argv, "m.py", cwd=tmp_path)
    assert "E001" not in run.out, run.out + run.err
    return run.code, run.out + run.err


def test_a_name_written_in_fullwidth_letters_is_the_same_name(tmp_path: Path) -> None:
    text = PITFALL.replace("w = torch", "\uff57 = torch")  # FULLWIDTH LATIN SMALL LETTER W
    compile(text, "m.py", "exec")
    code, out = check(tmp_path, text)
    assert code == 1 and "m.py:5:1: AG001" in out, out


def test_rebinding_through_another_spelling_rebinds_the_name(tmp_path: Path) -> None:
    text = (
        "import torch\n"
        "\n"
        "w = torch.randn(3, requires_grad=True)\n"
        "\uff57 = w.detach()\n"  # Python: w = w.detach()
        "w.add_(1)\n"
    )
    code, out = check(tmp_path, text)
    assert code == 0 and "AG007" not in out, out
    code, out = check(tmp_path, text.replace("\uff57 = w.detach()\n", "v = w.detach()\n"))
    assert code == 1 and "m.py:5:1: AG007" in out, out


def test_fix_never_rewrites_a_name_s_spelling(tmp_path: Path) -> None:
    text = (
        "import torch\n"
        "\n"
        "\uff51 = torch.randn(3, requires_grad=True)\n"
        "a = q.numpy()\n"
        "b = \uff51.numpy()\n"
    )
    _, out = check(tmp_path, text, "--fix")
    fixed = (tmp_path / "m.py").read_text(encoding="utf-8")
    assert "\uff51 = torch.randn" in fixed and "b = \uff51." in fixed, fixed + out
    compile(fixed, "m.py", "exec")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_lines_and_columns_are_python_s_for_every_line_ending(tmp_path: Path, newline: str) -> None:
    text = PITFALL.replace("y = (w * w).sum()\n", "y = (w * w).sum()  # a\u2028b\x0bc\x1cd\n")
    code, out = check(tmp_path, text.replace("\n", newline))
    assert code == 1 and "m.py:5:1: AG001" in out and "m.py:4:6: note: saved" in out, out
    noqa = text.replace("w.data.mul_(10)\n", "w.data.mul_(10)  # noqa: AG001\n")
    code, out = check(tmp_path, noqa.replace("\n", newline))
    assert code == 0, out
