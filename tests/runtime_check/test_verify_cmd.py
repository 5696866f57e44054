"""``autograd-lint verify PATH[:LINE]``: real lint, real replay, output and exit status."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest
from replay_cases import backend_or_skip

from autograd_lint.runtime_check import verify_cmd

DATA_WRITE = """\
import torch
w = torch.randn(3, requires_grad=True)
y = (w * w).sum()
w.data.mul_(10)
y.backward()
"""

TWO_FINDINGS = """\
import torch


def train():
    x = torch.randn(3)
    loss = (x * 2).sum()
    loss.backward()


def twice():
    w = torch.randn(3, requires_grad=True)
    y = (w * w).sum()
    y.backward()
    y.backward()
"""

CLEAN = """\
import torch
w = torch.randn(3, requires_grad=True)
with torch.no_grad():
    w.mul_(10)
y = (w * w).sum()
y.backward()
"""


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="autograd-lint verify")
    verify_cmd.add_arguments(parser)
    args = parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = verify_cmd.run(args, out, err)
    return code, out.getvalue(), err.getvalue()


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


@pytest.fixture
def backend() -> str:
    """The default backend; torch is covered by the tests that name it (each torch replay
    pays for importing torch in a fresh process)."""
    return backend_or_skip("mini")


@pytest.mark.parametrize("backend", ["mini", "torch"])
def test_confirms_a_finding_and_exits_1(tmp_path: Path, backend: str) -> None:
    backend_or_skip(backend)
    path = write(tmp_path, "model.py", DATA_WRITE)
    code, out, _ = run(path, "--backend", backend)
    assert code == verify_cmd.EXIT_FINDINGS
    assert f"{path}:4:1: AG001 " in out
    assert f"    confirmed ({backend}): " in out
    assert out.rstrip().endswith("1 finding: 1 confirmed, 0 not reproduced, 0 not replayable.")


def test_line_selects_findings(tmp_path: Path, backend: str) -> None:
    path = write(tmp_path, "train.py", TWO_FINDINGS)
    code, out, _ = run(f"{path}:7", "--backend", backend)
    assert code == verify_cmd.EXIT_FINDINGS
    assert f"{path}:7:" in out and "AG003" in out
    assert "AG004" not in out
    assert "element 0 of tensors does not require grad" in out
    code, out, _ = run(f"{path}:2", "--backend", backend)
    assert (code, out) == (verify_cmd.EXIT_CLEAN, "No findings.\n")


def test_every_finding_in_a_file_is_replayed(tmp_path: Path, backend: str) -> None:
    path = write(tmp_path, "train.py", TWO_FINDINGS)
    code, out, _ = run(path, "--backend", backend)
    assert code == verify_cmd.EXIT_FINDINGS
    assert out.count("    confirmed (") == 2, out
    assert "AG003" in out and "AG004" in out


def test_clean_file_exits_0(tmp_path: Path) -> None:
    path = write(tmp_path, "clean.py", CLEAN)
    assert run(path) == (verify_cmd.EXIT_CLEAN, "No findings.\n", "")


def test_directory_is_walked(tmp_path: Path, backend: str) -> None:
    write(tmp_path, "a.py", DATA_WRITE)
    write(tmp_path, "b.py", CLEAN)
    code, out, _ = run(str(tmp_path), "--backend", backend)
    assert code == verify_cmd.EXIT_FINDINGS
    assert "a.py:4:1: AG001" in out and "b.py" not in out


def test_show_witness_prints_the_script(tmp_path: Path, backend: str) -> None:
    path = write(tmp_path, "model.py", DATA_WRITE)
    _, plain, _ = run(path, "--backend", backend)
    _, shown, _ = run(path, "--backend", backend, "--show-witness")
    assert "witness:" not in plain
    assert "    witness:\n        import torch\n" in shown
    assert "        w.data.mul_(10)" in shown
    assert "    expected: " in shown


def test_json_format(tmp_path: Path, backend: str) -> None:
    path = write(tmp_path, "model.py", DATA_WRITE)
    code, out, _ = run(path, "--backend", backend, "--format", "json")
    data = json.loads(out)
    assert code == verify_cmd.EXIT_FINDINGS
    assert data["summary"] == {"confirmed": 1, "not_reproduced": 0, "not_replayable": 0}
    [entry] = data["results"]
    assert (entry["code"], entry["filename"], entry["location"]) == (
        "AG001",
        path,
        {"row": 4, "column": 1},
    )
    assert entry["confirmation"]["status"] == "confirmed"
    assert entry["confirmation"]["backend"] == backend
    assert "w.data.mul_(10)" in entry["witness"]["script"]


def test_select_and_ignore(tmp_path: Path) -> None:
    path = write(tmp_path, "train.py", TWO_FINDINGS)
    backend = backend_or_skip("torch")
    _, out, _ = run(path, "--backend", backend, "--select", "AG004")
    assert "AG004" in out and "AG003" not in out
    _, out, _ = run(path, "--backend", backend, "--ignore", "AG003,AG004")
    assert out == "No findings.\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["{missing}"], "no such file or directory"),
        (["{missing}:3"], "no such file or directory"),
        (["{file}:abc"], "LINE must be a positive integer"),
        (["{file}:0"], "LINE must be a positive integer"),
        (["{file}", "--select", "not a code"], "--select"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, argv: list[str], message: str) -> None:
    file = write(tmp_path, "model.py", DATA_WRITE)
    missing = str(tmp_path / "nope.py")
    code, out, err = run(*[a.format(file=file, missing=missing) for a in argv])
    assert code == verify_cmd.EXIT_USAGE
    assert out == ""
    assert message in err


def test_bad_option_value_is_an_argparse_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        run(write(tmp_path, "m.py", DATA_WRITE), "--backend", "jax")
    assert exited.value.code == 2


def test_cuda_without_gpu_is_not_replayable(tmp_path: Path) -> None:
    from replay_cases import torch_cuda_available

    backend_or_skip("torch")
    if torch_cuda_available():
        pytest.skip("a CUDA device is present")
    path = write(tmp_path, "model.py", DATA_WRITE)
    code, out, _ = run(path, "--backend", "torch", "--device", "cuda")
    assert code == verify_cmd.EXIT_FINDINGS
    assert "not replayable (torch/cuda): CUDA not available" in out


def test_parse_target_keeps_colons_of_existing_paths(tmp_path: Path) -> None:
    odd = tmp_path / "a:1"
    odd.write_text(CLEAN)
    assert verify_cmd.parse_target(str(odd)) == verify_cmd.Target(str(odd), None)
    plain = tmp_path / "b.py"
    plain.write_text(CLEAN)
    assert verify_cmd.parse_target(f"{plain}:12") == verify_cmd.Target(str(plain), 12)


@pytest.mark.parametrize("option", ["--timeout", "--memory-mb"])
@pytest.mark.parametrize("value", ["0", "-1", "abc"])
def test_limits_must_be_positive(tmp_path: Path, option: str, value: str) -> None:
    with pytest.raises(SystemExit) as exited:
        run(write(tmp_path, "m.py", DATA_WRITE), option, value)
    assert exited.value.code == 2


def test_help_documents_the_exit_status() -> None:
    parser = argparse.ArgumentParser(prog="autograd-lint verify")
    verify_cmd.add_arguments(parser)
    assert "exit status: 0 no findings, 1 findings" in parser.format_help()


def test_auto_device_on_mini_runs_on_cpu(tmp_path: Path, backend: str) -> None:
    path = write(tmp_path, "model.py", DATA_WRITE)
    code, out, _ = run(path, "--backend", backend, "--device", "auto")
    assert code == verify_cmd.EXIT_FINDINGS
    assert "    confirmed (mini): " in out
