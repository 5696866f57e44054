"""``verify`` on files whose text the witness carries along: imports from torch by name or
``*``, a CUDA device on a machine without one, terminal escapes in string literals, several
files of which one is broken. Each through the real command."""

from __future__ import annotations

import re
from pathlib import Path

import torch
from cli_support import run_subprocess, write

WRITE = """\
{imports}

w = {make}(3, requires_grad=True{device})
y = (w * w).sum()
w.data.mul_({factor})
y.backward()
"""


def verify(tmp_path: Path, *argv: str) -> tuple[int, str]:
    run = run_subprocess("verify", *argv, cwd=tmp_path)
    return run.code, run.out + run.err


def source(imports: str = "import torch", make: str = "torch.randn", **extra: str) -> str:
    return WRITE.format(
        imports=imports, make=make, device=extra.get("device", ""), factor=extra.get("factor", "10")
    )


def test_names_imported_from_torch_do_not_make_the_witness_unreplayable(tmp_path: Path) -> None:
    write(tmp_path, "m.py", source("from torch import randn, save, load", "randn"))
    code, out = verify(tmp_path, "m.py")
    assert code == 1 and "m.py:5:1: AG001" in out, out
    assert "1 confirmed" in out and "not allowed" not in out, out


def test_a_name_the_witness_does_call_is_still_refused(tmp_path: Path) -> None:
    text = source("from torch import randn, save", "randn").replace(
        "y.backward()\n", "y.backward()\nsave(w, 'w.pt')\n"
    )
    write(tmp_path, "m.py", text)
    code, out = verify(tmp_path, "m.py")
    assert code == 1 and "m.py:5:1: AG001" in out, out
    assert "1 confirmed" in out or "'save' is not allowed" in out, out
    assert not (tmp_path / "w.pt").exists()


def test_cuda_literal_on_a_cpu_machine_is_not_replayable(tmp_path: Path) -> None:
    write(tmp_path, "m.py", source(device=', device="cuda"'))
    code, out = verify(tmp_path, "--backend", "torch", "m.py")
    assert code == 1 and "m.py:5:1: AG001" in out, out
    if torch.cuda.is_available():
        assert "1 confirmed" in out, out
    else:
        assert "not replayable (torch): no CUDA" in out and "0 not reproduced" in out, out


def test_terminal_escapes_in_a_witness_are_shown_escaped(tmp_path: Path) -> None:
    write(tmp_path, "m.py", source(factor='len("\x1b[31m\x1b]0;title\x07\u202e")'))
    code, out = verify(tmp_path, "--show-witness", "m.py")
    assert code == 1 and "m.py:5:1: AG001" in out, out
    assert re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", out) is None, repr(out)
    assert r'len("\x1b[31m\x1b]0;title\x07\u202e")' in out, out


def test_each_file_gets_its_own_verdicts(tmp_path: Path) -> None:
    write(tmp_path, "a_good.py", source())
    write(tmp_path, "b_broken.py", "import torch\n\ndef f(:\n")
    (tmp_path / "c_binary.py").write_bytes(b"\x00\x01")
    write(tmp_path, "d_good.py", source(factor="3"))
    code, out = verify(tmp_path, ".")
    assert code == 1, out
    assert "a_good.py:5:1: AG001" in out and "d_good.py:5:1: AG001" in out, out
    assert "b_broken.py:3:7: E999" in out and "c_binary.py:1:1: E902" in out, out
    assert "2 confirmed" in out, out
