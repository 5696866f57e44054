"""Hostile and broken input: through ``lint_path`` and through the real command line.

Whatever a file contains, the checker reports it (E999 / E902) or says nothing, and always
goes on with the next file; ``--fix`` never leaves a half-written or unparseable file.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from samples import DATA_WRITE as PITFALL
from samples import SNAPSHOT

from autograd_lint.diagnostics import IO_ERROR_CODE, SYNTAX_ERROR_CODE
from autograd_lint.lint import lint_path

REPO = Path(__file__).resolve().parents[1]


TRAINING_FUNCTION = '''
def train_epoch_{index}(model, loader, optimizer):
    """One epoch of supervised training."""
    model.train()
    total = 0.0
    for step, (x, y) in enumerate(loader):
        optimizer.zero_grad()
        pred = model(x)
        loss = torch.nn.functional.mse_loss(pred, y)
        loss.backward()
        optimizer.step()
        total += loss.item()
        if step % 10 == 0:
            snapshot = pred.detach().clone()
            print(step, total / (step + 1), snapshot.mean())
    return total
'''


def cli(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "autograd_lint", "check", "--no-progress", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=880,
    )


def codes_of(output: str) -> list[tuple[str, str]]:
    """(path, code) per finding line of the text report."""
    found = []
    for line in output.splitlines():
        if line.startswith(" ") or ": " not in line:
            continue
        location, rest = line.split(": ", 1)
        found.append((location.split(":")[0], rest.split()[0]))
    return found


# --- through lint_path -----------------------------------------------------------------------


def test_syntax_error_is_one_e999(tmp_path: Path) -> None:
    path = tmp_path / "bad.py"
    path.write_text("import torch\ndef f(:\n    loss.backward()\n")
    result = lint_path(path)
    assert [d.code for d in result.diagnostics] == [SYNTAX_ERROR_CODE]
    assert result.diagnostics[0].range.start_line in (2, 3)  # libcst reports where it gave up


def test_binary_file_is_e902(tmp_path: Path) -> None:
    path = tmp_path / "blob.py"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00backward\x00\xff\xfe")
    result = lint_path(path)
    assert [d.code for d in result.diagnostics] == [IO_ERROR_CODE]
    assert "binary" in result.diagnostics[0].message


def test_non_utf8_file_is_e902(tmp_path: Path) -> None:
    path = tmp_path / "latin.py"
    path.write_bytes("# caf\u00e9\nloss.backward()\n".encode("latin-1"))
    result = lint_path(path)
    assert [d.code for d in result.diagnostics] == [IO_ERROR_CODE]
    assert "UTF-8" in result.diagnostics[0].message


def test_utf8_with_bom_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "bom.py"
    path.write_bytes(b"\xef\xbb\xbf" + PITFALL.encode())
    assert [d.code for d in lint_path(path).diagnostics] == ["AG001"]


def test_empty_file_has_no_findings(tmp_path: Path) -> None:
    path = tmp_path / "empty.py"
    path.write_bytes(b"")
    assert lint_path(path).diagnostics == ()


@pytest.mark.parametrize("opening", ["(", "["])
def test_1000_levels_of_nesting_do_not_crash(tmp_path: Path, opening: str) -> None:
    closing = {"(": ")", "[": "]"}[opening]
    path = tmp_path / "deep.py"
    path.write_text(
        "import torch\nw = torch.ones(2, requires_grad=True)\n"
        f"x = {opening * 1000}w{closing * 1000}\nx.sum().backward()\n"
    )
    result = lint_path(path)
    assert all(d.code in {SYNTAX_ERROR_CODE, "AG003"} for d in result.diagnostics)


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda p: p.mkdir(), id="directory"),
        pytest.param(lambda p: p.symlink_to(p.parent / "gone.py"), id="dangling-symlink"),
        pytest.param(lambda p: None, id="missing"),
    ],
)
def test_unreadable_paths_are_e902_with_the_reason(tmp_path: Path, make: object) -> None:
    path = tmp_path / "target.py"
    make(path)  # type: ignore[operator]
    result = lint_path(path)
    assert [d.code for d in result.diagnostics] == [IO_ERROR_CODE]
    message = result.diagnostics[0].message
    assert message.startswith("cannot read file: ")
    assert "directory" in message.lower() or "no such file" in message.lower()


# --- through the command line ----------------------------------------------------------------


def test_cli_goes_on_after_every_kind_of_bad_file(tmp_path: Path) -> None:
    (tmp_path / "a_syntax.py").write_text("import torch\ndef f(:\n  loss.backward()\n")
    (tmp_path / "b_binary.py").write_bytes(b"\x00\x01backward\x00")
    (tmp_path / "c_latin.py").write_bytes("s = 'caf\u00e9'\nloss.backward()\n".encode("latin-1"))
    (tmp_path / "d_empty.py").write_bytes(b"")
    (tmp_path / "e_dir.py").mkdir()  # a directory, even named like a file, is walked
    (tmp_path / "f_link.py").symlink_to(tmp_path / "nowhere.py")
    (tmp_path / "g_deep.py").write_text(
        "import torch\nw = torch.ones(2, requires_grad=True)\n"
        f"x = {'[' * 1000}w{']' * 1000}\nx.sum().backward()\n"
    )
    (tmp_path / "h_pitfall.py").write_text(PITFALL)
    names = sorted(p.name for p in tmp_path.iterdir())
    run = cli(*names, "missing.py", cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    found = codes_of(run.stdout)
    assert found == [
        ("a_syntax.py", "E999"),
        ("b_binary.py", "E902"),
        ("c_latin.py", "E902"),
        ("f_link.py", "E902"),
        ("g_deep.py", "E999"),  # 1000 nested brackets: CPython refuses them too
        ("h_pitfall.py", "AG001"),
        ("missing.py", "E902"),
    ]
    assert "f_link.py:1:1: E902 cannot read file: No such file or directory" in run.stdout
    assert "missing.py:1:1: E902 cannot read file: No such file or directory" in run.stdout


def test_cli_directory_walk_reports_bad_files_and_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import torch\nx = (\nx.backward()\n")
    (tmp_path / "b.py").write_text(PITFALL)
    run = cli(".", "--jobs", "2", cwd=tmp_path)
    assert run.returncode == 1
    assert codes_of(run.stdout) == [("a.py", "E999"), ("b.py", "AG001")]


def test_nesting_deep_enough_to_crash_a_parser_does_not_end_a_parallel_run(
    tmp_path: Path,
) -> None:
    # libcst's native parser overflows its stack somewhere past 1000 levels. CPython itself
    # refuses more than 200 ("too many nested parentheses"). Either the file is reported as
    # E999, or the worker that crashed on it is reported; the other file is checked regardless.
    deep = f"import torch\nx = {'(' * 20000}1{')' * 20000}\nx.backward()\n"
    (tmp_path / "a_deep.py").write_text(deep)
    (tmp_path / "b_pitfall.py").write_text(PITFALL)
    for jobs in ("1", "2"):
        run = cli("a_deep.py", "b_pitfall.py", "--jobs", jobs, cwd=tmp_path)
        assert run.returncode == 1, run.stderr
        assert codes_of(run.stdout) == [("a_deep.py", "E999"), ("b_pitfall.py", "AG001")]


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_10_megabyte_file_completes(tmp_path: Path) -> None:
    path = tmp_path / "huge_train.py"
    parts = ["import torch\n"]
    size = 0
    index = 0
    while size < 10 * 1024 * 1024:
        chunk = TRAINING_FUNCTION.format(index=index)
        parts.append(chunk)
        size += len(chunk)
        index += 1
    parts.append(PITFALL.replace("import torch\n", ""))  # one finding, at the very end
    path.write_text("".join(parts))
    assert path.stat().st_size > 10 * 1024 * 1024
    total_lines = "".join(parts).count("\n")
    run = cli(path.name, cwd=tmp_path)
    assert run.returncode == 1, run.stderr
    found = codes_of(run.stdout)
    assert found == [("huge_train.py", "AG001")]
    assert f"huge_train.py:{total_lines - 1}:1: AG001" in run.stdout


# --- --fix: atomic, parseable, idempotent ----------------------------------------------------


def test_fix_replaces_the_file_atomically_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "snap.py"
    target.write_text(SNAPSHOT)
    target.chmod(0o640)
    inode = target.stat().st_ino
    reader = target.open("rb")  # a reader of the old file must keep seeing all of it
    run = cli("--fix", "snap.py", cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert reader.read() == SNAPSHOT.encode()
    reader.close()
    assert target.stat().st_ino != inode  # replaced by rename, not truncated and rewritten
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fixed = target.read_text()
    assert "history.append(w.detach().clone())" in fixed
    cst.parse_module(fixed)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["snap.py"]  # no temp file left


def test_second_fix_run_changes_nothing(tmp_path: Path) -> None:
    target = tmp_path / "snap.py"
    target.write_text(SNAPSHOT + "\n" + PITFALL.replace("import torch\n", "").replace("w", "v"))
    cli("--fix", "snap.py", cwd=tmp_path)
    once = target.read_bytes()
    inode = target.stat().st_ino
    cst.parse_module(once.decode())
    run = cli("--fix", "snap.py", cwd=tmp_path)
    assert target.read_bytes() == once
    assert target.stat().st_ino == inode  # nothing to fix: the file is not even rewritten
    assert "Fixed" not in run.stderr


def test_fix_that_would_not_parse_is_refused(tmp_path: Path) -> None:
    from autograd_lint.config import Settings
    from autograd_lint.diagnostics import Diagnostic, Edit, FileResult, Fix, Range, Severity
    from autograd_lint.fixes import fix_file

    def breaking_lint(source: str, path: str, settings: Settings) -> FileResult:
        at = Range(1, 0, 1, 0)
        fix = Fix("break it", (Edit(at, "def (:\n"),))
        return FileResult(path, (Diagnostic("AG001", "m", at, Severity.ERROR, fix=fix),), source)

    target = tmp_path / "m.py"
    target.write_text(PITFALL)
    inode = target.stat().st_ino
    outcome = fix_file(str(target), Settings(), lint=breaking_lint)
    assert not outcome.changed
    assert any("would not parse" in reason for reason in outcome.refused)
    assert target.read_text() == PITFALL and target.stat().st_ino == inode


@pytest.mark.parametrize(
    "text",
    [
        PITFALL.replace("w = torch", "\uff57 = torch"),  # a fullwidth w: the same name
        "import torch\nw = torch.ones(2, requires_grad=True)\nif True:\n\f    w.add_(1)\n",
        PITFALL,
    ],
)
def test_piecewise_parse_reads_the_text_as_the_whole_file_parse_does(text: str) -> None:
    """The language server's per-statement parse (a chunk cache) gives the same findings as
    the command line's whole-file parse, names and form feeds included."""
    from autograd_lint.analysis.chunks import ChunkCache
    from autograd_lint.lint import lint_source

    whole = lint_source(text, "m.py")
    piecewise = lint_source(text, "m.py", chunks=ChunkCache())
    assert whole.diagnostics and [(d.code, d.range) for d in whole.diagnostics] == [
        (d.code, d.range) for d in piecewise.diagnostics
    ]
