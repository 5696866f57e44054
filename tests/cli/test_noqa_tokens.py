"""``# noqa`` is a comment as Python's tokenizer finds it: not text inside a string, and on
the line Python counts (form feeds and U+2028 do not end lines)."""

from __future__ import annotations

from pathlib import Path

from cli_support import run_subprocess, write

WRITE = (
    "import torch\n"
    "w = torch.randn(3, requires_grad=True)\n"
    "y = (w * w).sum()\n"
    "{line}\n"
    "y.backward()\n"
)


def test_noqa_inside_a_string_does_not_suppress(tmp_path: Path) -> None:
    write(tmp_path, "m.py", WRITE.format(line='w.data.mul_(10); s = "# noqa"'))
    run = run_subprocess("check", "--no-progress", "m.py", cwd=tmp_path)
    assert run.code == 1 and "m.py:4:1: AG001" in run.out, run.out + run.err


def test_noqa_comment_after_a_form_feed_line_suppresses_its_own_line(tmp_path: Path) -> None:
    text = WRITE.format(line="w.data.mul_(10)  # noqa: AG001").replace(
        "y = (w * w).sum()\n", "y = (w * w).sum()  # total\f\u2028 of squares\n"
    )
    write(tmp_path, "m.py", text)
    run = run_subprocess("check", "--no-progress", "m.py", cwd=tmp_path)
    assert run.code == 0, run.out + run.err
