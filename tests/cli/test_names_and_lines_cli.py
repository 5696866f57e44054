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


def test_the_zero_grad_fix_reads_the_backward_s_own_line(tmp_path: Path) -> None:
    """A U+2028 in a comment above is no line break to Python: the fix's indentation is
    read from the backward's line, not from the loop header one line up."""
    text = (
        "import torch\n"
        "# see\u2028below\n"
        "w = torch.randn(3, requires_grad=True)\n"
        "opt = torch.optim.SGD([w], lr=0.1)\n"
        "for _ in range(3):\n"
        "    (w * w).sum().backward()\n"
        "    opt.step()\n"
    )
    code, out = check(tmp_path, text, "--fix", "--unsafe-fixes")
    fixed = (tmp_path / "m.py").read_text(encoding="utf-8")
    assert code == 0 and "Fixed 1 finding" in out, out
    assert fixed == text.replace("    (w * w)", "    opt.zero_grad()\n    (w * w)"), fixed


def test_a_notebook_magic_line_holding_a_u2028_is_put_back_after_a_fix(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    from nbformat.v4 import new_code_cell, new_notebook

    magic = '%time s = "a\u2028b"'
    cells = [
        new_code_cell("import torch\nw = torch.randn(3, requires_grad=True)\ny = (w + 1).sum()"),
        new_code_cell(f"{magic}\nw.data.mul_(10)"),
        new_code_cell("y.backward()"),
    ]
    path = tmp_path / "nb.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    args = ("check", "--no-progress", "--no-cache", "--fix", "--select", "AG013", "nb.ipynb")
    run = run_subprocess(*args, cwd=tmp_path)
    assert "Fixed 1 finding" in run.err, run.out + run.err
    source = nbformat.read(path, as_version=4).cells[1].source
    assert source == f"{magic}\nwith torch.no_grad():\n    w.mul_(10)", source


def test_a_ligature_is_the_two_letters_python_reads(tmp_path: Path) -> None:
    """``\ufb01`` (one character) is ``fi`` to Python: the same name, and the columns after
    it on its line are the file's own."""
    text = (
        "import torch\n"
        "\n"
        "fi = torch.randn(3, requires_grad=True)\n"
        "y = \ufb01.sum() + (\ufb01 * fi).sum()\n"
        "\ufb01.data.mul_(10)\n"
        "y.backward()\n"
    )
    compile(text, "m.py", "exec")
    code, out = check(tmp_path, text, "--select", "AG001")
    assert code == 1 and "m.py:5:1: AG001" in out and "m.py:4:16: note: saved" in out, out
    _, out = check(tmp_path, text, "--select", "AG001", "--runtime-check", "mini")
    assert "[confirmed: mini]" in out, out  # the witness names it as Python does
    rebinding = (
        "import torch\n"
        "\n"
        "fi = torch.randn(3, requires_grad=True)\n"
        "\ufb01 = fi.detach()\n"  # Python: fi = fi.detach()
        "fi.add_(1)\n"
    )
    code, out = check(tmp_path, rebinding)
    assert code == 0 and "AG007" not in out, out
